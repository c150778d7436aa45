using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Drover.Architecture.Tests;

/// <summary>
/// Log event ids are stable and say which message a record is: no two <c>[LoggerMessage]</c> methods of one product
/// assembly share one. (Each adapter is its own assembly and logs under its own category, so two adapters may use the
/// same numbers; within an assembly a shared id would make two messages one to a log query.)
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void EveryLoggerMessageEventId_IsUsedOnce_WithinItsAssembly()
    {
        var methods = Projects.All
            .Select(Projects.TryLoad)
            .OfType<Assembly>()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null && m.Attribute.EventId != 0)
            .ToList();
        Assert.NotEmpty(methods);

        var shared = methods
            .GroupBy(m => (m.Method.DeclaringType!.Assembly.GetName().Name, m.Attribute!.EventId))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Name} {g.Key.EventId}: {string.Join(", ", g.Select(m => $"{m.Method.DeclaringType!.FullName}.{m.Method.Name}"))}")
            .ToList();

        Assert.True(shared.Count == 0, "log event ids used more than once:\n" + string.Join("\n", shared));
    }
}
