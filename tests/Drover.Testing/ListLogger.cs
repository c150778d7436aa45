using Microsoft.Extensions.Logging;

namespace Drover.Testing;

/// <summary>A logger (and factory of itself) that keeps every formatted message.</summary>
public sealed class ListLogger : ILogger, ILoggerFactory
{
    private readonly Lock _sync = new();
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_sync)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_sync)
        {
            _messages.Add($"{logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
