using Drover.Core.Demand;
using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Core.Ports;

/// <summary>
/// The writes of one transaction opened by <see cref="IStateStore.InTransactionAsync{T}"/>. Valid only
/// inside that call. Crash-safety rule: write the intent (runner in Requested with its idempotency key,
/// plus an event) in one transaction, then call the provider, then confirm in another transaction.
/// </summary>
public interface IStateWriter
{
    /// <summary>Replaces the applied pools: pools not in <paramref name="pools"/> are removed.</summary>
    Task ReplacePoolsAsync(IReadOnlyList<StoredPool> pools, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a job by its key.</summary>
    Task UpsertJobAsync(Job job, CancellationToken cancellationToken);

    /// <summary>Reads a runner inside the transaction (for read-modify-write).</summary>
    Task<Runner?> GetRunnerAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces a runner by id. When it is new or its state changed, a history entry
    /// (previous state, new state, <see cref="Runner.StateSince"/>, <paramref name="reason"/>) is appended.
    /// </summary>
    Task UpsertRunnerAsync(Runner runner, string reason, CancellationToken cancellationToken);

    /// <summary>Appends to the event log; returns the stored event with its id.</summary>
    Task<StoredEvent> AppendEventAsync(NewEvent newEvent, CancellationToken cancellationToken);

    /// <summary>Appends to the cost ledger; returns the entry with its id.</summary>
    Task<CostEntry> AddCostAsync(CostEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a runner's cost mark from <paramref name="expected"/> (null: it has none) to <paramref name="next"/>; false,
    /// and nothing written, when the stored mark is not <paramref name="expected"/> (another writer costed the runner
    /// meanwhile). A caller that gets false rolls its transaction back, so the ledger lines go with it.
    /// </summary>
    Task<bool> AdvanceCostMarkAsync(RunnerCostMark? expected, RunnerCostMark next, CancellationToken cancellationToken);

    /// <summary>Appends many cost lines with a few multi-row statements (not a round trip per line); returns how many.</summary>
    Task<int> AddCostsAsync(IReadOnlyList<CostEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Moves many runners' cost marks, each only from its <c>Expected</c> value (as <see cref="AdvanceCostMarkAsync"/>),
    /// with a few statements; returns how many moved. A caller that gets fewer than it asked for rolls its transaction back.
    /// </summary>
    Task<int> AdvanceCostMarksAsync(IReadOnlyList<(RunnerCostMark? Expected, RunnerCostMark Next)> moves, CancellationToken cancellationToken);

    /// <summary>Retention: deletes at most <paramref name="limit"/> events stamped before <paramref name="before"/>, oldest first; returns how many.</summary>
    Task<int> DeleteEventsBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Retention: deletes at most <paramref name="limit"/> completed, cancelled or expired jobs that finished (or, without a
    /// finish time, last changed) before <paramref name="before"/>; returns how many. Queued and running jobs are kept.
    /// </summary>
    Task<int> DeleteFinishedJobsBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Retention: deletes at most <paramref name="limit"/> runners gone before <paramref name="before"/> whose life is
    /// costed to the end (their cost mark reached the time they went), with their history and cost mark; returns how many.
    /// </summary>
    Task<int> DeleteGoneRunnersBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>Retention: deletes at most <paramref name="limit"/> cost lines starting before <paramref name="before"/>, oldest first; returns how many.</summary>
    Task<int> DeleteCostLinesBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records that budget <paramref name="budget"/> reached <paramref name="threshold"/> (a share of its limit; 1 for
    /// the limit) in the period starting <paramref name="periodStart"/>; false, and nothing written, when that alert
    /// was raised already.
    /// </summary>
    Task<bool> TryRecordBudgetAlertAsync(string budget, DateTimeOffset periodStart, decimal threshold, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Adds per-second arrivals (<see cref="Demand.ArrivalHistory.TakeUnsaved"/>) to the stored arrival history, then
    /// for each pool they touch compacts seconds older than an hour before its latest arrival into hourly buckets and
    /// drops hours older than <paramref name="keep"/> before it, so what is stored stays bounded per pool.
    /// </summary>
    Task AddArrivalsAsync(IReadOnlyList<ArrivalBucket> arrivals, TimeSpan keep, CancellationToken cancellationToken);

    /// <summary>Raises a pool's next ordinal to <paramref name="nextOrdinal"/>; never lowers it (keys are never reused).</summary>
    Task SetNextOrdinalAsync(string pool, long nextOrdinal, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a forge adapter's cursor <paramref name="name"/> (e.g. <c>scaleset:7</c>) forward to <paramref name="value"/>;
    /// false, and nothing written, when it already stands there or further.
    /// </summary>
    Task<bool> AdvanceForgeCursorAsync(string forge, string name, long value, DateTimeOffset at, CancellationToken cancellationToken);

    Task SetBreakerAsync(string provider, CircuitBreakerState state, CancellationToken cancellationToken);

    /// <summary>Stores a raw delivery; false (and nothing written) when the forge's delivery id was already stored.</summary>
    Task<bool> TryInsertDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Marks a delivery processed; false when there is no such delivery.</summary>
    Task<bool> MarkDeliveryProcessedAsync(string forge, string deliveryId, DateTimeOffset processedAt, CancellationToken cancellationToken);

    /// <summary>Deletes deliveries processed before <paramref name="processedBefore"/>; returns how many.</summary>
    Task<int> DeleteProcessedDeliveriesAsync(DateTimeOffset processedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed interpretation of a waiting delivery: one more attempt, the reason, and when to try again.
    /// False when there is no such waiting delivery.
    /// </summary>
    Task<bool> RecordDeliveryFailureAsync(string forge, string deliveryId, string failure, DateTimeOffset retryAt, CancellationToken cancellationToken);

    /// <summary>
    /// Quarantines a waiting delivery after a failed interpretation: one more attempt, the reason, and the time; it is
    /// never listed for interpretation again unless requeued. False when there is no such waiting delivery.
    /// </summary>
    Task<bool> QuarantineDeliveryAsync(string forge, string deliveryId, string failure, DateTimeOffset quarantinedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a quarantined delivery back in the queue as if new (no attempts, no failure). False when there is no such
    /// quarantined delivery.
    /// </summary>
    Task<bool> RequeueDeliveryAsync(string forge, string deliveryId, CancellationToken cancellationToken);

    /// <summary>Deletes deliveries quarantined before <paramref name="quarantinedBefore"/>; returns how many.</summary>
    Task<int> DeleteQuarantinedDeliveriesAsync(DateTimeOffset quarantinedBefore, CancellationToken cancellationToken);

    /// <summary>Stores an operator request, replacing one of the same kind and target.</summary>
    Task PutAdminRequestAsync(AdminRequest request, CancellationToken cancellationToken);

    /// <summary>Removes an operator request; false when there was none.</summary>
    Task<bool> RemoveAdminRequestAsync(AdminRequestKind kind, string target, CancellationToken cancellationToken);

    /// <summary>The record of a job lost to the infrastructure, or null when the job was never lost.</summary>
    Task<JobRerun?> GetJobRerunAsync(JobKey job, CancellationToken cancellationToken);

    /// <summary>The re-run that created <paramref name="newJob"/> (its <see cref="JobRerun.NewJobId"/>), or null.</summary>
    Task<JobRerun?> FindJobRerunCreatingAsync(JobKey newJob, CancellationToken cancellationToken);

    /// <summary>How many re-runs of the line that started with <paramref name="originJobId"/> are pending or were requested.</summary>
    Task<int> CountLineRerunsAsync(string forge, string originJobId, CancellationToken cancellationToken);

    /// <summary>Records a lost job; false (and nothing written) when that job already has a record.</summary>
    Task<bool> TryAddJobRerunAsync(JobRerun rerun, CancellationToken cancellationToken);

    /// <summary>Replaces a lost job's record.</summary>
    Task UpdateJobRerunAsync(JobRerun rerun, CancellationToken cancellationToken);
}
