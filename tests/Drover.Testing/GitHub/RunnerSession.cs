namespace Drover.Testing.GitHub;

/// <summary>A runner process that proved it holds a JIT config: the registration, its name, the process id it reported and when.</summary>
public sealed record RunnerSession(long RunnerId, string RunnerName, int ProcessId, DateTimeOffset At);
