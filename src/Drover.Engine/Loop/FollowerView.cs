using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Ports;

namespace Drover.Engine.Loop;

/// <summary>
/// A follower's view: runners, breakers, drains and queued jobs per pool from the store, without planning or calling
/// any provider or forge. The leader's cycles replace it as soon as this replica leads.
/// </summary>
internal static class FollowerView
{
    /// <summary><paramref name="current"/> refreshed from <paramref name="store"/> at <paramref name="now"/>.</summary>
    public static async Task<LoopSnapshot> ReadAsync(IStateStore store, LoopSnapshot current, DateTimeOffset now, DateTimeOffset spendSince, CancellationToken cancellationToken)
    {
        var config = current.Config;
        var state = await store.LoadPlanningStateAsync(spendSince, cancellationToken).ConfigureAwait(false);
        var requests = await store.ListAdminRequestsAsync(cancellationToken).ConfigureAwait(false);
        var matcher = new PoolMatcher(config);
        var queued = state.ActiveJobs
            .Where(j => j.State == JobState.Queued)
            .Select(j => matcher.Match(j.Key.Forge, j.Labels, j.Scope)?.Name)
            .OfType<string>()
            .GroupBy(p => p, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return current with
        {
            At = now,
            Plan = null,
            Runners = state.Observed.Runners,
            Breakers = state.Observed.Breakers,
            DrainedPools = OperatorRequests.DrainedPools(config, requests),
            QueuedByPool = queued,
            WaitP95ByPool = QueueWaits.P95ByPool(state.ActiveJobs, matcher, now),
            WaitP50ByPool = QueueWaits.P50ByPool(state.ActiveJobs, matcher, now),
        };
    }
}
