namespace Drover.Core.Policies;

/// <summary>
/// What a pool's demand looked like in the past, for policies that forecast. Policies that do not forecast
/// ignore it; when it is absent (<c>null</c>) a forecasting policy must fall back to reactive behaviour.
/// </summary>
public interface IDemandHistory
{
    /// <summary>Number of jobs that arrived for <paramref name="pool"/> in [from, to).</summary>
    int Arrivals(string pool, DateTimeOffset from, DateTimeOffset to);

    /// <summary>
    /// Number of distinct seconds in [from, to) with at least one arrival for <paramref name="pool"/>: a matrix of jobs
    /// fanned out at once is one instant. Equal to <see cref="Arrivals"/> when jobs arrive one at a time.
    /// </summary>
    int ArrivalInstants(string pool, DateTimeOffset from, DateTimeOffset to);

    /// <summary>When the first arrival for <paramref name="pool"/> was recorded; null when none was (no history).</summary>
    DateTimeOffset? FirstArrival(string pool);
}
