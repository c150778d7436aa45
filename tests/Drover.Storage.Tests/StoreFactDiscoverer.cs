using Drover.Storage.Tests.Postgres;
using Drover.Testing.Postgres;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Drover.Storage.Tests;

/// <summary>Discovers <see cref="StoreFactAttribute"/> cases, skipping them per concrete class (see the attribute).</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any();
        return needsPostgres && PostgresBinaries.SkipReason is { } reason
            ? new XunitSkippedDataRowTestCase(
                DiagnosticMessageSink,
                discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod,
                reason)
            : base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
