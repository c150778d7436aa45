using System.Data.Common;
using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Storage.Migrations;
using Drover.Storage.Snapshot;
using Drover.Storage.Sql;

namespace Drover.Storage;

/// <summary>
/// The <see cref="IStateStore"/> both dialects share: every query, transaction rule, migration and the
/// backup format live here once. A subclass supplies connections, transactions and its <see cref="SqlDialect"/>.
/// </summary>
public abstract class RelationalStateStore : IStateStore
{
    private protected RelationalStateStore(SqlDialect dialect)
    {
        Dialect = dialect;
    }

    private protected SqlDialect Dialect { get; }

    /// <inheritdoc />
    public Task<T> InTransactionAsync<T>(Func<IStateWriter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(TransactionKind.Write, session => work(new StateWriter(session), cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, Migrator.CurrentVersionAsync, cancellationToken);

    /// <inheritdoc />
    public Task<PlanningState> LoadPlanningStateAsync(DateTimeOffset spendSince, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.Snapshot, s => StateReads.LoadPlanningStateAsync(s, spendSince), cancellationToken);

    /// <inheritdoc />
    public Task<Core.Planning.ObservedState> LoadObservedStateAsync(DateTimeOffset spendSince, bool withRunners, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.Snapshot, s => StateReads.LoadObservedStateAsync(s, spendSince, withRunners), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredPool>> ListPoolsAsync(CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, StateReads.ListPoolsAsync, cancellationToken);

    /// <inheritdoc />
    public Task<Runner?> GetRunnerAsync(string id, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetRunnerAsync(s, id), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Runner>> ListRunnersAsync(string? pool, RunnerState? state, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListRunnersAsync(s, pool, state), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Runner>> ListLiveRunnersAsync(string? pool, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListLiveRunnersAsync(s, pool), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RunnerTransition>> GetRunnerHistoryAsync(string runnerId, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetRunnerHistoryAsync(s, runnerId), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<RunnerTransition>>> GetRunnerHistoriesAsync(IReadOnlyList<string> runnerIds, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetRunnerHistoriesAsync(s, runnerIds), cancellationToken);

    /// <inheritdoc />
    public Task<Job?> GetJobAsync(JobKey key, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetJobAsync(s, key), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Job>> ListJobsAsync(JobState state, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListJobsAsync(s, state), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListEventsAsync(s, query), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RunnerToCost>> ListRunnersToCostAsync(CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, StateReads.ListRunnersToCostAsync, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RunnerCostDue>> ListCostDueAsync(DateTimeOffset? goneSince, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListCostDueAsync(s, goneSince), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RunnerToCost>> GetRunnersToCostAsync(IReadOnlyList<string> runnerIds, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetRunnersToCostAsync(s, runnerIds), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CostEntry>> ListCostAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListCostAsync(s, from, to), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, decimal>> GetSpendByPoolSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetSpendByPoolSinceAsync(s, since), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookDelivery>> ListUnprocessedDeliveriesAsync(int limit, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListUnprocessedDeliveriesAsync(s, limit, now), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(DeliveryState state, int limit, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListDeliveriesAsync(s, state, limit), cancellationToken);

    /// <inheritdoc />
    public Task<WebhookDelivery?> GetDeliveryAsync(string forge, string deliveryId, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetDeliveryAsync(s, forge, deliveryId), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRerun>> ListJobRerunsAsync(JobRerunState? state, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.ListJobRerunsAsync(s, state), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AdminRequest>> ListAdminRequestsAsync(CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, StateReads.ListAdminRequestsAsync, cancellationToken);

    /// <inheritdoc />
    public Task<long?> GetForgeCursorAsync(string forge, string name, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetForgeCursorAsync(s, forge, name), cancellationToken);

    /// <inheritdoc />
    public Task<StoredArrivals> LoadArrivalsAsync(CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, StateReads.LoadArrivalsAsync, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryAcquireOrRenewLeaseAsync(string name, string holder, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => LeaseCommands.TryAcquireOrRenewAsync(s, name, holder, ttl, now), cancellationToken);

    /// <inheritdoc />
    public Task<bool> ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => LeaseCommands.ReleaseAsync(s, name, holder), cancellationToken);

    /// <inheritdoc />
    public Task<LeaderLease?> GetLeaseAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.None, s => StateReads.GetLeaseAsync(s, name), cancellationToken);

    /// <inheritdoc />
    public Task ExportAsync(Stream destination, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.Snapshot, s => SnapshotExporter.ExportAsync(s, destination), cancellationToken);

    /// <inheritdoc />
    public Task ImportAsync(Stream source, bool force, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.Write, s => SnapshotImporter.ImportAsync(s, Dialect, source, force), cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// With <see cref="StoreOpenMode.ExistingWithSchema"/>, refuses a store Drover never set up before anything is
    /// written to it; <paramref name="description"/> names the store in the message (never with a password).
    /// </summary>
    /// <exception cref="AdapterConfigurationException">The store holds no Drover schema.</exception>
    private protected async Task RequireSchemaAsync(StoreOpenMode mode, string description, CancellationToken cancellationToken)
    {
        if (mode != StoreOpenMode.ExistingWithSchema)
        {
            return;
        }

        var tables = await RunAsync(TransactionKind.None, s => s.ScalarAsync<long>(Dialect.SchemaVersionTableCountSql), cancellationToken).ConfigureAwait(false);
        if (tables == 0)
        {
            throw new AdapterConfigurationException(
                $"state store {description} is not a Drover store (it has no schema_version table); name the store drover serve uses");
        }
    }

    /// <summary>Applies pending migrations; called once when the store is opened.</summary>
    private protected Task MigrateAsync(CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.Write, s => Migrator.MigrateAsync(s, Dialect), cancellationToken);

    /// <summary>Runs a statement outside the port; for tests that need to set up what the port cannot.</summary>
    internal Task ExecuteRawAsync(string sql, CancellationToken cancellationToken) =>
        RunAsync(TransactionKind.Write, s => s.ExecuteAsync(sql), cancellationToken);

    private protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    private protected abstract ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, TransactionKind kind, CancellationToken cancellationToken);

    private async Task<T> RunAsync<T>(TransactionKind kind, Func<DbSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (kind == TransactionKind.None)
        {
            return await work(new DbSession(connection, null, cancellationToken)).ConfigureAwait(false);
        }

        await using var transaction = await BeginTransactionAsync(connection, kind, cancellationToken).ConfigureAwait(false);
        var result = await work(new DbSession(connection, transaction, cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private Task RunAsync(TransactionKind kind, Func<DbSession, Task> work, CancellationToken cancellationToken) =>
        RunAsync(kind, async s =>
        {
            await work(s).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
