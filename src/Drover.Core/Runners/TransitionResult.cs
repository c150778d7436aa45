using System.Diagnostics.CodeAnalysis;

namespace Drover.Core.Runners;

/// <summary>
/// The outcome of <see cref="RunnerLifecycle.Transition"/>: either the runner in its new state, or a rejection
/// whose <see cref="Error"/> the caller logs. A rejected transition leaves <see cref="Runner"/> unchanged.
/// </summary>
public sealed record TransitionResult
{
    private TransitionResult(Runner runner, RunnerState from, RunnerState to, string? error)
    {
        Runner = runner;
        From = from;
        To = to;
        Error = error;
    }

    /// <summary>The runner after the transition; the unchanged input when rejected or when it was a no-op.</summary>
    public Runner Runner { get; }

    /// <summary>The state the runner was in.</summary>
    public RunnerState From { get; }

    /// <summary>The state that was asked for.</summary>
    public RunnerState To { get; }

    /// <summary>Why the transition was rejected; null when it was accepted.</summary>
    public string? Error { get; }

    /// <summary>True when the transition was legal (including the no-op of staying in the same state).</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsAccepted => Error is null;

    /// <summary>True when the runner actually moved to a different state.</summary>
    public bool Changed => IsAccepted && From != To;

    /// <summary>The runner in its new state.</summary>
    /// <exception cref="InvalidOperationException">The transition was rejected; the message is <see cref="Error"/>.</exception>
    public Runner RunnerOrThrow() => IsAccepted ? Runner : throw new InvalidOperationException(Error);

    /// <summary>An accepted transition from <paramref name="from"/> that produced <paramref name="runner"/>.</summary>
    public static TransitionResult Accepted(Runner runner, RunnerState from)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return new TransitionResult(runner, from, runner.State, null);
    }

    /// <summary>A rejected transition of <paramref name="runner"/> to <paramref name="to"/>.</summary>
    public static TransitionResult Rejected(Runner runner, RunnerState to, string error)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new TransitionResult(runner, runner.State, to, error);
    }
}
