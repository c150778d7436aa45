using Drover.Core.Runners;

namespace Drover.Core.Ports;

/// <summary>One entry of a runner's lifecycle history; <see cref="From"/> is null for the first one.</summary>
public sealed record RunnerTransition(string RunnerId, DateTimeOffset At, RunnerState? From, RunnerState To, string Reason);
