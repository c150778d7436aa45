using Drover.Core.Demand;
using Drover.Core.Runners;

namespace Drover.Core.Ports;

/// <summary>
/// Drover's durable state: applied pools, the jobs ledger, runners and their history, the event log,
/// the cost ledger, ordinals, breakers, raw webhook deliveries and the leader lease. Reads are on the
/// store; every write goes through <see cref="InTransactionAsync{T}"/> so that writes that belong
/// together commit or roll back together. Times are always passed in; a store never reads a clock.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>Runs <paramref name="work"/> in one transaction: committed when it returns, rolled back when it throws.</summary>
    Task<T> InTransactionAsync<T>(Func<IStateWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>The schema version of the open store (the newest migration applied).</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What the planner needs from the store: runners that are not <see cref="RunnerState.Gone"/>, breakers,
    /// next ordinals, spend per pool since <paramref name="spendSince"/>, and the queued or running jobs.
    /// Provider instances and forge runners are left empty: they come from the providers' and forges' list calls.
    /// </summary>
    Task<PlanningState> LoadPlanningStateAsync(DateTimeOffset spendSince, CancellationToken cancellationToken);

    /// <summary>
    /// The stored part of the observed state alone (<see cref="LoadPlanningStateAsync"/> without the jobs): what a
    /// control cycle reads every time, since its jobs live in the in-memory ledger. Without <paramref name="withRunners"/>
    /// the runners are left out (empty): for a caller that keeps its own view of them.
    /// </summary>
    Task<Planning.ObservedState> LoadObservedStateAsync(DateTimeOffset spendSince, bool withRunners, CancellationToken cancellationToken);

    /// <summary>The pools as last applied, by name.</summary>
    Task<IReadOnlyList<StoredPool>> ListPoolsAsync(CancellationToken cancellationToken);

    Task<Runner?> GetRunnerAsync(string id, CancellationToken cancellationToken);

    /// <summary>Runners, optionally only of one pool and/or in one state, ordered by id.</summary>
    Task<IReadOnlyList<Runner>> ListRunnersAsync(string? pool, RunnerState? state, CancellationToken cancellationToken);

    /// <summary>
    /// Runners that are not <see cref="RunnerState.Gone"/>, optionally only of one pool, ordered by id. Gone runners stay
    /// in the store as history; this read does not grow with them.
    /// </summary>
    Task<IReadOnlyList<Runner>> ListLiveRunnersAsync(string? pool, CancellationToken cancellationToken);

    /// <summary>Every state change of a runner, oldest first.</summary>
    Task<IReadOnlyList<RunnerTransition>> GetRunnerHistoryAsync(string runnerId, CancellationToken cancellationToken);

    /// <summary>The transitions of each of <paramref name="runnerIds"/> in append order, with a few queries (not one per runner); a runner without any maps to an empty list.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<RunnerTransition>>> GetRunnerHistoriesAsync(IReadOnlyList<string> runnerIds, CancellationToken cancellationToken);

    Task<Job?> GetJobAsync(JobKey key, CancellationToken cancellationToken);

    /// <summary>Jobs in one state, ordered by forge and id.</summary>
    Task<IReadOnlyList<Job>> ListJobsAsync(JobState state, CancellationToken cancellationToken);

    /// <summary>Events in append order (by id) matching <paramref name="query"/>.</summary>
    Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Runners whose life is not fully in the cost ledger: those not Gone, and Gone ones costed to before they went (or
    /// not at all), each with its cost mark. Ordered by id.
    /// </summary>
    Task<IReadOnlyList<RunnerToCost>> ListRunnersToCostAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The ids of the runners whose life is not fully in the cost ledger, with how far each is costed (null: not at
    /// all): every runner not Gone, and Gone ones costed to before they went that went at or after
    /// <paramref name="goneSince"/> (null: whenever). Ordered by id. Reads ids and marks only, for a pass to take in batches.
    /// </summary>
    Task<IReadOnlyList<RunnerCostDue>> ListCostDueAsync(DateTimeOffset? goneSince, CancellationToken cancellationToken);

    /// <summary>The runners of <paramref name="runnerIds"/> as stored, each with its cost mark (ids not stored are left out); ordered by id.</summary>
    Task<IReadOnlyList<RunnerToCost>> GetRunnersToCostAsync(IReadOnlyList<string> runnerIds, CancellationToken cancellationToken);

    /// <summary>Cost ledger lines whose interval starts in [<paramref name="from"/>, <paramref name="to"/>), in id order.</summary>
    Task<IReadOnlyList<CostEntry>> ListCostAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Sum of cost entries per pool whose period starts at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyDictionary<string, decimal>> GetSpendByPoolSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Webhook deliveries to interpret at <paramref name="now"/>: neither processed nor quarantined, and not waiting
    /// for a retry later than <paramref name="now"/>. Those never tried come first, then by fewest failed attempts,
    /// oldest first within each, so deliveries that keep failing never hold back new ones.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ListUnprocessedDeliveriesAsync(int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Stored deliveries in <paramref name="state"/>, at most <paramref name="limit"/>: waiting ones oldest first,
    /// quarantined ones most recently quarantined first.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(DeliveryState state, int limit, CancellationToken cancellationToken);

    /// <summary>One stored webhook delivery, processed or not; null when there is none.</summary>
    Task<WebhookDelivery?> GetDeliveryAsync(string forge, string deliveryId, CancellationToken cancellationToken);

    /// <summary>Operator requests not yet carried out or withdrawn, ordered by kind and target.</summary>
    Task<IReadOnlyList<AdminRequest>> ListAdminRequestsAsync(CancellationToken cancellationToken);

    /// <summary>The jobs lost to the infrastructure (in one state, or all when null), in the order they were lost.</summary>
    Task<IReadOnlyList<JobRerun>> ListJobRerunsAsync(JobRerunState? state, CancellationToken cancellationToken);

    /// <summary>
    /// Where a forge adapter's own demand stream had got to (<see cref="IStateWriter.AdvanceForgeCursorAsync"/>), e.g. a
    /// GitHub scale set's last acknowledged message id; null when nothing was stored.
    /// </summary>
    Task<long?> GetForgeCursorAsync(string forge, string name, CancellationToken cancellationToken);

    /// <summary>The stored arrival history (see <see cref="IStateWriter.AddArrivalsAsync"/>), for a new term to restore.</summary>
    Task<StoredArrivals> LoadArrivalsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease <paramref name="name"/> for <paramref name="holder"/> until <paramref name="now"/> + <paramref name="ttl"/>
    /// when it is free, already held by <paramref name="holder"/> (a renewal) or expired at <paramref name="now"/>.
    /// Atomic: of several contenders, exactly one gets true.
    /// </summary>
    Task<bool> TryAcquireOrRenewLeaseAsync(string name, string holder, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives the lease up; false when <paramref name="holder"/> did not hold it.</summary>
    Task<bool> ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken);

    Task<LeaderLease?> GetLeaseAsync(string name, CancellationToken cancellationToken);

    /// <summary>Writes a consistent snapshot of every table to <paramref name="destination"/> (see docs/storage.md).</summary>
    Task ExportAsync(Stream destination, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the store's content with a snapshot written by <see cref="ExportAsync"/>, all or nothing.
    /// Refuses a store that holds any data unless <paramref name="force"/> is set.
    /// </summary>
    Task ImportAsync(Stream source, bool force, CancellationToken cancellationToken);
}
