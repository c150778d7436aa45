using Drover.Core.Config;

namespace Drover.Core.Runners;

/// <summary>
/// The runner state machine: which transitions are legal, what a transition does to the runner record, and how
/// long a runner may stay in each state. Pure: time is always a parameter and nothing is logged here; a rejected
/// transition comes back as a <see cref="TransitionResult"/> for the caller to log.
/// </summary>
/// <remarks>
/// Legal transitions (staying in the same state is always an accepted no-op):
/// <list type="bullet">
/// <item>Requested → Provisioning, Failed, Draining, Gone (an intent withdrawn before any provider call).</item>
/// <item>Provisioning → Registering, Failed, Draining.</item>
/// <item>Registering → Idle, Busy (took a job at once), Failed, Draining.</item>
/// <item>Idle → Busy, Draining, Failed.</item>
/// <item>Busy → Idle (a non-ephemeral runner finished its job), Draining, Gone (an ephemeral runner exited after its job), Failed.</item>
/// <item>Draining → Gone, Failed.</item>
/// <item>Failed → Draining, Gone.</item>
/// <item>Gone is terminal.</item>
/// </list>
/// A runner is never sent back to an earlier boot state: a failed slot is retried by creating a new runner
/// after <see cref="RetryBackoff.RetryAt"/>, which keeps every create idempotent under its own key.
/// </remarks>
public static class RunnerLifecycle
{
    /// <summary>True when a runner in <paramref name="from"/> may move to <paramref name="to"/>; always true when they are equal.</summary>
    public static bool CanTransition(RunnerState from, RunnerState to) =>
        from == to || (from, to) switch
        {
            (RunnerState.Requested, RunnerState.Provisioning or RunnerState.Failed or RunnerState.Draining or RunnerState.Gone) => true,
            (RunnerState.Provisioning, RunnerState.Registering or RunnerState.Failed or RunnerState.Draining) => true,
            (RunnerState.Registering, RunnerState.Idle or RunnerState.Busy or RunnerState.Failed or RunnerState.Draining) => true,
            (RunnerState.Idle, RunnerState.Busy or RunnerState.Draining or RunnerState.Failed) => true,
            (RunnerState.Busy, RunnerState.Idle or RunnerState.Draining or RunnerState.Gone or RunnerState.Failed) => true,
            (RunnerState.Draining, RunnerState.Gone or RunnerState.Failed) => true,
            (RunnerState.Failed, RunnerState.Draining or RunnerState.Gone) => true,
            _ => false,
        };

    /// <summary>
    /// Moves <paramref name="runner"/> to <paramref name="to"/> at <paramref name="now"/>, or rejects the move with
    /// <c>illegal transition {from} -> {to} for runner {id}</c>. Asking for the state the runner is already in is an
    /// accepted no-op that returns the same record (its <see cref="Runner.StateSince"/> is kept).
    /// </summary>
    /// <remarks>
    /// On a change, <see cref="Runner.StateSince"/> becomes <paramref name="now"/>, and:
    /// entering Failed increments <see cref="Runner.Attempt"/> and stores <paramref name="reason"/> as
    /// <see cref="Runner.FailureReason"/>; leaving Registering for Idle or Busy (a successful registration) resets
    /// <see cref="Runner.Attempt"/> to 0 and clears <see cref="Runner.FailureReason"/>; returning from Busy to Idle
    /// clears <see cref="Runner.Job"/>. Entering Provisioning sets <see cref="Runner.ProvisionedAt"/> and leaving a boot
    /// state for Idle or Busy sets <see cref="Runner.ReadyAt"/>, each once. Other fields are the caller's to set.
    /// </remarks>
    public static TransitionResult Transition(Runner runner, RunnerState to, DateTimeOffset now, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var from = runner.State;
        if (from == to)
        {
            return TransitionResult.Accepted(runner, from);
        }

        if (!CanTransition(from, to))
        {
            return TransitionResult.Rejected(runner, to, $"illegal transition {from} -> {to} for runner {runner.Id}");
        }

        var next = runner with { State = to, StateSince = now };
        if (to == RunnerState.Provisioning)
        {
            next = next with { ProvisionedAt = runner.ProvisionedAt ?? now };
        }
        else if (runner.IsBooting && to is RunnerState.Idle or RunnerState.Busy)
        {
            next = next with { ReadyAt = runner.ReadyAt ?? now };
        }

        if (to == RunnerState.Failed)
        {
            next = next with { Attempt = runner.Attempt + 1, FailureReason = reason };
        }
        else if (from == RunnerState.Registering && to is RunnerState.Idle or RunnerState.Busy)
        {
            next = next with { Attempt = 0, FailureReason = null };
        }

        if (from == RunnerState.Busy && to == RunnerState.Idle)
        {
            next = next with { Job = null };
        }

        return TransitionResult.Accepted(next, from);
    }

    /// <summary>
    /// How long a runner may stay in <paramref name="state"/> before the planner acts on it; null for Gone.
    /// Requested, Provisioning, Registering, Busy and Draining use <see cref="PoolConfig.Timeouts"/>; Idle uses
    /// <see cref="PoolConfig.IdleTimeout"/> (acted on only while the pool has a surplus: the planner decides);
    /// Failed uses the retry backoff for <paramref name="attempt"/> consecutive failures.
    /// </summary>
    /// <param name="state">The lifecycle state.</param>
    /// <param name="pool">The runner's pool.</param>
    /// <param name="attempt">Consecutive failures (<see cref="Runner.Attempt"/>); only read for Failed.</param>
    public static TimeSpan? TimeoutFor(RunnerState state, PoolConfig pool, int attempt = 1)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return state switch
        {
            RunnerState.Requested => pool.Timeouts.Requested,
            RunnerState.Provisioning => pool.Timeouts.Provisioning,
            RunnerState.Registering => pool.Timeouts.Registering,
            RunnerState.Idle => pool.IdleTimeout,
            RunnerState.Busy => pool.Timeouts.Busy,
            RunnerState.Draining => pool.Timeouts.Draining,
            RunnerState.Failed => RetryBackoff.DelayFor(attempt),
            RunnerState.Gone => null,
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown runner state"),
        };
    }

    /// <summary>The timeout of the runner's current state (see <see cref="TimeoutFor(RunnerState, PoolConfig, int)"/>).</summary>
    public static TimeSpan? TimeoutFor(Runner runner, PoolConfig pool)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return TimeoutFor(runner.State, pool, runner.Attempt);
    }

    /// <summary>
    /// When the runner's current state times out: <see cref="Runner.StateSince"/> plus its timeout, capped at
    /// <see cref="DateTimeOffset.MaxValue"/>; null for Gone. For Failed this equals <see cref="RetryBackoff.RetryAt"/>.
    /// </summary>
    public static DateTimeOffset? DeadlineFor(Runner runner, PoolConfig pool)
    {
        if (TimeoutFor(runner, pool) is not { } timeout)
        {
            return null;
        }

        // Both the local and the UTC clock reading of the result must stay representable.
        var since = runner.StateSince;
        var headroom = DateTime.MaxValue - (since.Offset > TimeSpan.Zero ? since.DateTime : since.UtcDateTime);
        return timeout >= headroom ? DateTimeOffset.MaxValue : since + timeout;
    }

    /// <summary>
    /// True once the runner has been in its state for at least its timeout (<paramref name="now"/> at or after
    /// <see cref="DeadlineFor"/>). Never true for Gone. For Failed it means the replacement is due.
    /// </summary>
    public static bool IsPastTimeout(Runner runner, PoolConfig pool, DateTimeOffset now) =>
        TimeoutFor(runner, pool) is { } timeout && now - runner.StateSince >= timeout;

    /// <summary>
    /// True when the pool sets <see cref="PoolConfig.MaxLifetime"/> and the runner has existed at least that long
    /// (since <see cref="Runner.CreatedAt"/>). The planner recycles such runners only while they are idle.
    /// </summary>
    public static bool IsPastMaxLifetime(Runner runner, PoolConfig pool, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(pool);
        return pool.MaxLifetime is { } maxLifetime && now - runner.CreatedAt >= maxLifetime;
    }
}
