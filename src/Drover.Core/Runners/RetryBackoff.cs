namespace Drover.Core.Runners;

/// <summary>
/// How long a failed runner's slot waits before a replacement is created: 0, 5, 10, 20, 40, 80 seconds for the
/// 1st to 6th consecutive failure, then 80 seconds for every further one. The schedule is capped rather than
/// finite: a pool never gives up on a slot for good, it only retries more slowly.
/// </summary>
public static class RetryBackoff
{
    private static readonly TimeSpan[] _schedule =
    [
        TimeSpan.Zero,
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(20),
        TimeSpan.FromSeconds(40),
        TimeSpan.FromSeconds(80),
    ];

    /// <summary>The delays for the 1st, 2nd, ... consecutive failure; the last one repeats.</summary>
    public static IReadOnlyList<TimeSpan> Schedule => _schedule;

    /// <summary>The longest delay, used from the last step of <see cref="Schedule"/> on.</summary>
    public static TimeSpan MaxDelay => _schedule[^1];

    /// <summary>
    /// The delay after <paramref name="attempt"/> consecutive failures (the runner's <see cref="Runner.Attempt"/>).
    /// Attempt 0 (no failure) and 1 wait nothing; from the 6th on the delay stays at <see cref="MaxDelay"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempt"/> is negative.</exception>
    public static TimeSpan DelayFor(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        return attempt == 0 ? TimeSpan.Zero : _schedule[Math.Min(attempt, _schedule.Length) - 1];
    }

    /// <summary>When the replacement for a failed runner may be created: the time it failed plus its backoff delay.</summary>
    /// <exception cref="ArgumentException"><paramref name="failed"/> is not in <see cref="RunnerState.Failed"/>.</exception>
    public static DateTimeOffset RetryAt(Runner failed)
    {
        ArgumentNullException.ThrowIfNull(failed);
        if (failed.State != RunnerState.Failed)
        {
            throw new ArgumentException($"runner {failed.Id} is {failed.State}, not {RunnerState.Failed}", nameof(failed));
        }

        return failed.StateSince + DelayFor(failed.Attempt);
    }
}
