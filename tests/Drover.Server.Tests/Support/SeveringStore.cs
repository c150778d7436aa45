using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;

namespace Drover.Server.Tests.Support;

/// <summary>
/// A store whose connection can be cut: after <see cref="Sever"/> every call throws, as for a replica that lost its
/// database or died between two statements. It cannot renew or release its lease, and it cannot write an intent.
/// </summary>
public sealed class SeveringStore(IStateStore inner) : IStateStore
{
    private volatile bool _severed;
    private int _refused;

    public void Sever() => _severed = true;

    /// <summary>How many calls were refused since <see cref="Sever"/>.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public Task<T> InTransactionAsync<T>(Func<IStateWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken) => Call(() => inner.InTransactionAsync(work, cancellationToken));

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => Call(() => inner.GetSchemaVersionAsync(cancellationToken));

    public Task<PlanningState> LoadPlanningStateAsync(DateTimeOffset spendSince, CancellationToken cancellationToken) => Call(() => inner.LoadPlanningStateAsync(spendSince, cancellationToken));

    public Task<Core.Planning.ObservedState> LoadObservedStateAsync(DateTimeOffset spendSince, bool withRunners, CancellationToken cancellationToken) => Call(() => inner.LoadObservedStateAsync(spendSince, withRunners, cancellationToken));

    public Task<IReadOnlyList<StoredPool>> ListPoolsAsync(CancellationToken cancellationToken) => Call(() => inner.ListPoolsAsync(cancellationToken));

    public Task<Runner?> GetRunnerAsync(string id, CancellationToken cancellationToken) => Call(() => inner.GetRunnerAsync(id, cancellationToken));

    public Task<IReadOnlyList<Runner>> ListRunnersAsync(string? pool, RunnerState? state, CancellationToken cancellationToken) => Call(() => inner.ListRunnersAsync(pool, state, cancellationToken));

    public Task<IReadOnlyList<Runner>> ListLiveRunnersAsync(string? pool, CancellationToken cancellationToken) => Call(() => inner.ListLiveRunnersAsync(pool, cancellationToken));

    public Task<IReadOnlyList<RunnerTransition>> GetRunnerHistoryAsync(string runnerId, CancellationToken cancellationToken) => Call(() => inner.GetRunnerHistoryAsync(runnerId, cancellationToken));

    public Task<IReadOnlyDictionary<string, IReadOnlyList<RunnerTransition>>> GetRunnerHistoriesAsync(IReadOnlyList<string> runnerIds, CancellationToken cancellationToken) => Call(() => inner.GetRunnerHistoriesAsync(runnerIds, cancellationToken));

    public Task<Job?> GetJobAsync(JobKey key, CancellationToken cancellationToken) => Call(() => inner.GetJobAsync(key, cancellationToken));

    public Task<IReadOnlyList<JobRerun>> ListJobRerunsAsync(JobRerunState? state, CancellationToken cancellationToken) => Call(() => inner.ListJobRerunsAsync(state, cancellationToken));

    public Task<IReadOnlyList<Job>> ListJobsAsync(JobState state, CancellationToken cancellationToken) => Call(() => inner.ListJobsAsync(state, cancellationToken));

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken) => Call(() => inner.ListEventsAsync(query, cancellationToken));

    public Task<IReadOnlyList<RunnerToCost>> ListRunnersToCostAsync(CancellationToken cancellationToken) => Call(() => inner.ListRunnersToCostAsync(cancellationToken));

    public Task<IReadOnlyList<RunnerCostDue>> ListCostDueAsync(DateTimeOffset? goneSince, CancellationToken cancellationToken) => Call(() => inner.ListCostDueAsync(goneSince, cancellationToken));

    public Task<IReadOnlyList<RunnerToCost>> GetRunnersToCostAsync(IReadOnlyList<string> runnerIds, CancellationToken cancellationToken) => Call(() => inner.GetRunnersToCostAsync(runnerIds, cancellationToken));

    public Task<IReadOnlyList<CostEntry>> ListCostAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => Call(() => inner.ListCostAsync(from, to, cancellationToken));

    public Task<IReadOnlyDictionary<string, decimal>> GetSpendByPoolSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) => Call(() => inner.GetSpendByPoolSinceAsync(since, cancellationToken));

    public Task<IReadOnlyList<WebhookDelivery>> ListUnprocessedDeliveriesAsync(int limit, DateTimeOffset now, CancellationToken cancellationToken) => Call(() => inner.ListUnprocessedDeliveriesAsync(limit, now, cancellationToken));

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(DeliveryState state, int limit, CancellationToken cancellationToken) => Call(() => inner.ListDeliveriesAsync(state, limit, cancellationToken));

    public Task<WebhookDelivery?> GetDeliveryAsync(string forge, string deliveryId, CancellationToken cancellationToken) => Call(() => inner.GetDeliveryAsync(forge, deliveryId, cancellationToken));

    public Task<IReadOnlyList<AdminRequest>> ListAdminRequestsAsync(CancellationToken cancellationToken) => Call(() => inner.ListAdminRequestsAsync(cancellationToken));

    public Task<StoredArrivals> LoadArrivalsAsync(CancellationToken cancellationToken) => Call(() => inner.LoadArrivalsAsync(cancellationToken));

    public Task<long?> GetForgeCursorAsync(string forge, string name, CancellationToken cancellationToken) => Call(() => inner.GetForgeCursorAsync(forge, name, cancellationToken));

    public Task<bool> TryAcquireOrRenewLeaseAsync(string name, string holder, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken) => Call(() => inner.TryAcquireOrRenewLeaseAsync(name, holder, ttl, now, cancellationToken));

    public Task<bool> ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) => Call(() => inner.ReleaseLeaseAsync(name, holder, cancellationToken));

    public Task<LeaderLease?> GetLeaseAsync(string name, CancellationToken cancellationToken) => Call(() => inner.GetLeaseAsync(name, cancellationToken));

    public Task ExportAsync(Stream destination, CancellationToken cancellationToken) => Call(async () =>
    {
        await inner.ExportAsync(destination, cancellationToken);
        return true;
    });

    public Task ImportAsync(Stream source, bool force, CancellationToken cancellationToken) => Call(async () =>
    {
        await inner.ImportAsync(source, force, cancellationToken);
        return true;
    });

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private Task<T> Call<T>(Func<Task<T>> call)
    {
        if (!_severed)
        {
            return call();
        }

        Interlocked.Increment(ref _refused);
        return Task.FromException<T>(new StateStoreException("connection to the state store lost (severed by the test)"));
    }
}
