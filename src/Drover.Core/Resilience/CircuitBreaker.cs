using System.Globalization;

namespace Drover.Core.Resilience;

/// <summary>
/// The rules of a provider's circuit breaker as pure functions over <see cref="CircuitBreakerState"/>. The state is a
/// value that the engine persists with the rest of the observed state, so it survives restarts and leader changes,
/// and the planner reads it to decide how many runners it may ask the provider for.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Closed: a failure increments <see cref="CircuitBreakerState.ConsecutiveFailures"/>, a success resets it to 0;
/// reaching <see cref="CircuitBreakerOptions.FailureThreshold"/> opens the breaker at that moment.</item>
/// <item>Open: no creates. Outcomes reported while open (of calls started before it opened) change nothing.
/// Once <see cref="CircuitBreakerOptions.CoolDown"/> has passed since it opened, it is half-open.</item>
/// <item>Half-open: one probe create at a time. A failure re-opens the breaker from that moment; each success
/// counts, and <see cref="CircuitBreakerOptions.SuccessesToClose"/> of them close it with all counters reset.</item>
/// </list>
/// States these functions return are always one of: Closed with no <see cref="CircuitBreakerState.OpenedAt"/>, no
/// half-open successes and fewer failures than the threshold; Open with <see cref="CircuitBreakerState.OpenedAt"/>
/// set, at least one failure and no half-open successes; HalfOpen with <see cref="CircuitBreakerState.OpenedAt"/>
/// set, no failures and between 1 and <see cref="CircuitBreakerOptions.SuccessesToClose"/> - 1 successes.
/// </remarks>
public static class CircuitBreaker
{
    /// <summary>How many creates a half-open breaker allows per planning pass: a single probe.</summary>
    public const int HalfOpenProbes = 1;

    /// <summary>
    /// The status at <paramref name="now"/>: a stored Open becomes HalfOpen once <paramref name="now"/> is at or after
    /// <see cref="CircuitBreakerState.OpenedAt"/> plus the cool-down. An Open state with no
    /// <see cref="CircuitBreakerState.OpenedAt"/> (hand-edited state) is treated as past its cool-down.
    /// </summary>
    public static BreakerStatus Current(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        Validate(options);
        return state.Status switch
        {
            BreakerStatus.Open when state.OpenedAt is { } openedAt && now - openedAt < options.CoolDown => BreakerStatus.Open,
            BreakerStatus.Open => BreakerStatus.HalfOpen,
            var status => status,
        };
    }

    /// <summary>
    /// When the breaker becomes (Open) or became (HalfOpen) half-open: <see cref="CircuitBreakerState.OpenedAt"/> plus
    /// the cool-down. Null when closed or when <see cref="CircuitBreakerState.OpenedAt"/> is not set.
    /// </summary>
    public static DateTimeOffset? HalfOpensAt(CircuitBreakerState state, CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        Validate(options);
        return state is { Status: not BreakerStatus.Closed, OpenedAt: { } openedAt } ? openedAt + options.CoolDown : null;
    }

    /// <summary>The state after a create call to the provider failed at <paramref name="now"/>.</summary>
    public static CircuitBreakerState RecordFailure(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options)
    {
        var status = Current(state, now, options);
        var failures = state.ConsecutiveFailures + 1;
        return status switch
        {
            BreakerStatus.Closed when failures >= options.FailureThreshold => OpenAt(now, failures),
            BreakerStatus.Closed => new CircuitBreakerState { ConsecutiveFailures = failures },
            BreakerStatus.HalfOpen => OpenAt(now, failures),
            _ => state,
        };
    }

    /// <summary>The state after a create call to the provider succeeded at <paramref name="now"/>.</summary>
    public static CircuitBreakerState RecordSuccess(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options)
    {
        var status = Current(state, now, options);
        var successes = state.HalfOpenSuccesses + 1;
        return status switch
        {
            BreakerStatus.Closed => CircuitBreakerState.Closed,
            BreakerStatus.HalfOpen when successes >= options.SuccessesToClose => CircuitBreakerState.Closed,
            BreakerStatus.HalfOpen => new CircuitBreakerState
            {
                Status = BreakerStatus.HalfOpen,
                OpenedAt = state.OpenedAt ?? now,
                HalfOpenSuccesses = successes,
            },
            _ => state,
        };
    }

    /// <summary>
    /// How many creates the provider may receive at <paramref name="now"/>: null (no limit from the breaker) when
    /// closed, 0 when open, <see cref="HalfOpenProbes"/> when half-open. The state does not know about calls in
    /// flight: in half-open the executor sends the next probe only after the previous one's outcome is recorded.
    /// </summary>
    public static int? AllowedCreates(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options) =>
        Current(state, now, options) switch
        {
            BreakerStatus.Closed => null,
            BreakerStatus.HalfOpen => HalfOpenProbes,
            _ => 0,
        };

    /// <summary>
    /// The state in words, e.g. <c>open until 12:03:10Z after 5 consecutive failures</c>,
    /// <c>half-open since 12:03:10Z: 1 probe at a time, 1 of 2 successes to close</c>, <c>closed</c> or
    /// <c>closed, 2 consecutive failures of 5 to open</c>. Times are UTC.
    /// </summary>
    public static string Describe(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options)
    {
        var status = Current(state, now, options);
        var halfOpensAt = HalfOpensAt(state, options);
        return status switch
        {
            BreakerStatus.Closed when state.ConsecutiveFailures == 0 => "closed",
            BreakerStatus.Closed => Invariant($"closed, {Failures(state.ConsecutiveFailures)} of {options.FailureThreshold} to open"),
            BreakerStatus.Open => Invariant($"open until {Clock(halfOpensAt!.Value)} after {Failures(state.ConsecutiveFailures)}"),
            _ when halfOpensAt is { } since => Invariant($"half-open since {Clock(since)}: {HalfOpenDetail(state, options)}"),
            _ => Invariant($"half-open: {HalfOpenDetail(state, options)}"),
        };
    }

    private static CircuitBreakerState OpenAt(DateTimeOffset now, int failures) =>
        new() { Status = BreakerStatus.Open, OpenedAt = now, ConsecutiveFailures = failures };

    private static string HalfOpenDetail(CircuitBreakerState state, CircuitBreakerOptions options) =>
        Invariant($"{HalfOpenProbes} probe at a time, {state.HalfOpenSuccesses} of {options.SuccessesToClose} successes to close");

    private static string Failures(int count) =>
        Invariant($"{count} consecutive failure{(count == 1 ? string.Empty : "s")}");

    private static string Clock(DateTimeOffset at) =>
        at.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static void Validate(CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FailureThreshold, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SuccessesToClose, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CoolDown, TimeSpan.Zero, nameof(options));
    }
}
