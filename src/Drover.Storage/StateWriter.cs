using System.Data;
using Dapper;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Storage.Rows;
using Drover.Storage.Schema;
using Drover.Storage.Sql;

namespace Drover.Storage;

/// <summary>The writes of one open transaction; shared by both dialects.</summary>
internal sealed class StateWriter(DbSession session) : IStateWriter
{
    public async Task ReplacePoolsAsync(IReadOnlyList<StoredPool> pools, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("DELETE FROM pools").ConfigureAwait(false);
        foreach (var pool in pools)
        {
            var row = new Dictionary<string, object?>
            {
                ["name"] = pool.Name,
                ["config_json"] = pool.ConfigJson,
                ["applied_at"] = StoreTime.ToStored(pool.AppliedAt),
            };
            await InsertAsync(StoreSchema.Pools, row).ConfigureAwait(false);
        }
    }

    public Task UpsertJobAsync(Job job, CancellationToken cancellationToken) =>
        UpsertAsync(StoreSchema.Jobs, JobRows.ToRow(job));

    public Task<Runner?> GetRunnerAsync(string id, CancellationToken cancellationToken) => StateReads.GetRunnerAsync(session, id);

    public async Task UpsertRunnerAsync(Runner runner, string reason, CancellationToken cancellationToken)
    {
        var previous = await StateReads.GetRunnerAsync(session, runner.Id).ConfigureAwait(false);
        await UpsertAsync(StoreSchema.Runners, RunnerRows.ToRow(runner)).ConfigureAwait(false);
        if (previous is null || previous.State != runner.State)
        {
            var transition = new RunnerTransition(runner.Id, runner.StateSince, previous?.State, runner.State, reason);
            await session.ScalarAsync<long>(
                SqlText.Insert(StoreSchema.RunnerHistory, withIdentity: false),
                DbSession.Parameters(StoreSchema.RunnerHistory, LogRows.ToRow(transition), withIdentity: false)).ConfigureAwait(false);
        }
    }

    public async Task<StoredEvent> AppendEventAsync(NewEvent newEvent, CancellationToken cancellationToken)
    {
        var id = await session.ScalarAsync<long>(
            SqlText.Insert(StoreSchema.Events, withIdentity: false),
            DbSession.Parameters(StoreSchema.Events, LogRows.ToRow(newEvent), withIdentity: false)).ConfigureAwait(false);
        return new StoredEvent(id, newEvent.At, newEvent.Actor, newEvent.Kind, newEvent.Subject, newEvent.Message, newEvent.DataJson);
    }

    public async Task<CostEntry> AddCostAsync(CostEntry entry, CancellationToken cancellationToken)
    {
        if (entry.To < entry.From)
        {
            throw new ArgumentException("a cost entry cannot end before it starts", nameof(entry));
        }

        var id = await session.ScalarAsync<long>(
            SqlText.Insert(StoreSchema.CostLedger, withIdentity: false),
            DbSession.Parameters(StoreSchema.CostLedger, CostRows.ToRow(entry), withIdentity: false)).ConfigureAwait(false);
        return entry with { Id = id };
    }

    public async Task<bool> AdvanceCostMarkAsync(RunnerCostMark? expected, RunnerCostMark next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (expected is null)
        {
            var table = StoreSchema.RunnerCosts;
            return await session.ExecuteAsync(
                SqlText.Insert(table, withIdentity: true) + " ON CONFLICT (runner_id) DO NOTHING",
                DbSession.Parameters(table, CostRows.ToRow(next), withIdentity: true)).ConfigureAwait(false) == 1;
        }

        return await session.ExecuteAsync(
            "UPDATE runner_costs SET costed_until = @until, billed_seconds = @billed " +
            "WHERE runner_id = @runnerId AND costed_until = @expectedUntil AND billed_seconds = @expectedBilled",
            new
            {
                until = StoreTime.ToStored(next.CostedUntil),
                billed = CostRows.FormatAmount(next.BilledSeconds),
                runnerId = next.RunnerId,
                expectedUntil = StoreTime.ToStored(expected.CostedUntil),
                expectedBilled = CostRows.FormatAmount(expected.BilledSeconds),
            }).ConfigureAwait(false) == 1;
    }

    public async Task<int> AddCostsAsync(IReadOnlyList<CostEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Any(e => e.To < e.From))
        {
            throw new ArgumentException("a cost entry cannot end before it starts", nameof(entries));
        }

        var table = StoreSchema.CostLedger;
        var written = 0;
        foreach (var chunk in entries.Chunk(RowsPerStatement))
        {
            written += await session.ExecuteAsync(MultiRowInsert(table, chunk.Length), MultiRowParameters(table, chunk.Select(CostRows.ToRow).ToList())).ConfigureAwait(false);
        }

        return written;
    }

    public async Task<int> AdvanceCostMarksAsync(IReadOnlyList<(RunnerCostMark? Expected, RunnerCostMark Next)> moves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moves);
        var table = StoreSchema.RunnerCosts;
        var moved = 0;
        foreach (var chunk in moves.Where(m => m.Expected is null).Chunk(RowsPerStatement))
        {
            moved += await session.ExecuteAsync(
                MultiRowInsert(table, chunk.Length) + " ON CONFLICT (runner_id) DO NOTHING",
                MultiRowParameters(table, chunk.Select(m => CostRows.ToRow(m.Next)).ToList())).ConfigureAwait(false);
        }

        foreach (var chunk in moves.Where(m => m.Expected is not null).Chunk(RowsPerStatement))
        {
            // Each mark moves only from the value read: the row must still hold the expected time and billed seconds.
            var parameters = new DynamicParameters();
            var values = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                var (expected, next) = chunk[i];
                values.Add($"(@r{i}, @eu{i}, @eb{i}, @nu{i}, @nb{i})");
                parameters.Add($"r{i}", next.RunnerId, DbType.String);
                parameters.Add($"eu{i}", StoreTime.ToStored(expected!.CostedUntil), DbType.Int64);
                parameters.Add($"eb{i}", CostRows.FormatAmount(expected.BilledSeconds), DbType.String);
                parameters.Add($"nu{i}", StoreTime.ToStored(next.CostedUntil), DbType.Int64);
                parameters.Add($"nb{i}", CostRows.FormatAmount(next.BilledSeconds), DbType.String);
            }

            moved += await session.ExecuteAsync(
                "UPDATE runner_costs SET costed_until = v.column4, billed_seconds = v.column5 " +
                $"FROM (VALUES {string.Join(", ", values)}) AS v " +
                "WHERE runner_costs.runner_id = v.column1 AND runner_costs.costed_until = v.column2 AND runner_costs.billed_seconds = v.column3",
                parameters).ConfigureAwait(false);
        }

        return moved;
    }

    public Task<int> DeleteEventsBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < @before ORDER BY at LIMIT @limit)",
            new { before = StoreTime.ToStored(before), limit = (long)limit });

    public Task<int> DeleteFinishedJobsBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM jobs WHERE (forge, id) IN (SELECT forge, id FROM jobs " +
            "WHERE state IN ('completed', 'cancelled', 'expired') AND COALESCE(finished_at, last_event_at) < @before " +
            "ORDER BY COALESCE(finished_at, last_event_at) LIMIT @limit)",
            new { before = StoreTime.ToStored(before), limit = (long)limit });

    public async Task<int> DeleteGoneRunnersBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        // Only runners costed to the end: deleting one the ledger has not finished would lose the rest of its cost.
        var ids = (await session.QueryAsync(
            "SELECT r.id FROM runners r JOIN runner_costs c ON c.runner_id = r.id " +
            "WHERE r.state = 'gone' AND r.state_since < @before AND c.costed_until >= r.state_since ORDER BY r.state_since LIMIT @limit",
            new { before = StoreTime.ToStored(before), limit = (long)limit }).ConfigureAwait(false)).Select(r => r.Text("id")).ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        // runner_history goes with its runner (ON DELETE CASCADE).
        var (list, parameters) = SqlText.IdList(ids);
        await session.ExecuteAsync($"DELETE FROM runner_costs WHERE runner_id IN ({list})", parameters).ConfigureAwait(false);
        return await session.ExecuteAsync($"DELETE FROM runners WHERE id IN ({list})", parameters).ConfigureAwait(false);
    }

    public Task<int> DeleteCostLinesBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM cost_ledger WHERE id IN (SELECT id FROM cost_ledger WHERE from_at < @before ORDER BY from_at LIMIT @limit)",
            new { before = StoreTime.ToStored(before), limit = (long)limit });

    public async Task<bool> TryRecordBudgetAlertAsync(string budget, DateTimeOffset periodStart, decimal threshold, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = StoreSchema.BudgetAlerts;
        var row = new Dictionary<string, object?>
        {
            ["budget"] = budget,
            ["period_start"] = StoreTime.ToStored(periodStart),
            ["threshold"] = threshold.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture),
            ["raised_at"] = StoreTime.ToStored(at),
        };
        return await session.ExecuteAsync(
            SqlText.Insert(table, withIdentity: true) + " ON CONFLICT (budget, period_start, threshold) DO NOTHING",
            DbSession.Parameters(table, row, withIdentity: true)).ConfigureAwait(false) == 1;
    }

    public async Task AddArrivalsAsync(IReadOnlyList<ArrivalBucket> arrivals, TimeSpan keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arrivals);
        const long HourMicros = 3_600_000_000;
        foreach (var bucket in arrivals)
        {
            await session.ExecuteAsync(
                "INSERT INTO arrival_buckets (pool, start, width, jobs, instants) VALUES (@pool, @start, 1, @jobs, 1) " +
                "ON CONFLICT (pool, start, width) DO UPDATE SET jobs = arrival_buckets.jobs + excluded.jobs",
                new { pool = bucket.Pool, start = StoreTime.ToStored(bucket.Start), jobs = (long)bucket.Jobs }).ConfigureAwait(false);
        }

        foreach (var pool in arrivals.GroupBy(a => a.Pool, StringComparer.Ordinal))
        {
            var name = pool.Key;
            await session.ExecuteAsync(
                "INSERT INTO arrival_pools (pool, first_arrival) VALUES (@pool, @first) " +
                "ON CONFLICT (pool) DO UPDATE SET first_arrival = excluded.first_arrival WHERE excluded.first_arrival < arrival_pools.first_arrival",
                new { pool = name, first = StoreTime.ToStored(pool.Min(a => a.Start)) }).ConfigureAwait(false);
            var latest = await session.ScalarAsync<long?>(
                "SELECT MAX(start) FROM arrival_buckets WHERE pool = @pool AND width = 1", new { pool = name }).ConfigureAwait(false);
            if (latest is not { } last)
            {
                continue;
            }

            // The in-memory history keeps seconds for the hour up to a pool's latest arrival; older ones count per hour.
            var cutoff = last - HourMicros;
            await session.ExecuteAsync(
                "INSERT INTO arrival_buckets (pool, start, width, jobs, instants) " +
                "SELECT pool, (start / @hour) * @hour, 3600, SUM(jobs), COUNT(*) FROM arrival_buckets " +
                "WHERE pool = @pool AND width = 1 AND start < @cutoff GROUP BY pool, (start / @hour) * @hour " +
                "ON CONFLICT (pool, start, width) DO UPDATE SET jobs = arrival_buckets.jobs + excluded.jobs, instants = arrival_buckets.instants + excluded.instants",
                new { pool = name, hour = HourMicros, cutoff }).ConfigureAwait(false);
            await session.ExecuteAsync(
                "DELETE FROM arrival_buckets WHERE pool = @pool AND width = 1 AND start < @cutoff", new { pool = name, cutoff }).ConfigureAwait(false);
            await session.ExecuteAsync(
                "DELETE FROM arrival_buckets WHERE pool = @pool AND width = 3600 AND start < @oldest",
                new { pool = name, oldest = (last / HourMicros * HourMicros) - (long)(keep.Ticks / 10) }).ConfigureAwait(false);
        }
    }

    public Task SetNextOrdinalAsync(string pool, long nextOrdinal, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO pool_ordinals (pool, next_ordinal) VALUES (@pool, @next) " +
            "ON CONFLICT (pool) DO UPDATE SET next_ordinal = excluded.next_ordinal WHERE pool_ordinals.next_ordinal < excluded.next_ordinal",
            new { pool, next = nextOrdinal });

    public async Task<bool> AdvanceForgeCursorAsync(string forge, string name, long value, DateTimeOffset at, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "INSERT INTO forge_cursors (forge, name, value, updated_at) VALUES (@forge, @name, @value, @at) " +
            "ON CONFLICT (forge, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at WHERE forge_cursors.value < excluded.value",
            new { forge, name, value, at = StoreTime.ToStored(at) }).ConfigureAwait(false) == 1;

    public Task SetBreakerAsync(string provider, CircuitBreakerState state, CancellationToken cancellationToken) =>
        UpsertAsync(StoreSchema.Breakers, BreakerRows.ToRow(provider, state));

    public async Task<bool> TryInsertDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var table = StoreSchema.WebhookDeliveries;
        var inserted = await session.ExecuteAsync(
            SqlText.Insert(table, withIdentity: true) + " ON CONFLICT (forge, delivery_id) DO NOTHING",
            DbSession.Parameters(table, DeliveryRows.ToRow(delivery), withIdentity: true)).ConfigureAwait(false);
        return inserted == 1;
    }

    public async Task<bool> MarkDeliveryProcessedAsync(string forge, string deliveryId, DateTimeOffset processedAt, CancellationToken cancellationToken)
    {
        var updated = await session.ExecuteAsync(
            "UPDATE webhook_deliveries SET processed_at = @at WHERE forge = @forge AND delivery_id = @deliveryId",
            new { at = StoreTime.ToStored(processedAt), forge, deliveryId }).ConfigureAwait(false);
        return updated == 1;
    }

    public Task<int> DeleteProcessedDeliveriesAsync(DateTimeOffset processedBefore, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM webhook_deliveries WHERE processed_at IS NOT NULL AND processed_at < @before",
            new { before = StoreTime.ToStored(processedBefore) });

    public async Task<bool> RecordDeliveryFailureAsync(string forge, string deliveryId, string failure, DateTimeOffset retryAt, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_failure = @failure, next_attempt_at = @retryAt " +
            "WHERE forge = @forge AND delivery_id = @deliveryId AND processed_at IS NULL AND quarantined_at IS NULL",
            new { failure, retryAt = StoreTime.ToStored(retryAt), forge, deliveryId }).ConfigureAwait(false) == 1;

    public async Task<bool> QuarantineDeliveryAsync(string forge, string deliveryId, string failure, DateTimeOffset quarantinedAt, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_failure = @failure, next_attempt_at = NULL, quarantined_at = @at " +
            "WHERE forge = @forge AND delivery_id = @deliveryId AND processed_at IS NULL AND quarantined_at IS NULL",
            new { failure, at = StoreTime.ToStored(quarantinedAt), forge, deliveryId }).ConfigureAwait(false) == 1;

    public async Task<bool> RequeueDeliveryAsync(string forge, string deliveryId, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE webhook_deliveries SET attempts = 0, last_failure = NULL, next_attempt_at = NULL, quarantined_at = NULL " +
            "WHERE forge = @forge AND delivery_id = @deliveryId AND quarantined_at IS NOT NULL",
            new { forge, deliveryId }).ConfigureAwait(false) == 1;

    public Task<int> DeleteQuarantinedDeliveriesAsync(DateTimeOffset quarantinedBefore, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM webhook_deliveries WHERE quarantined_at IS NOT NULL AND quarantined_at < @before",
            new { before = StoreTime.ToStored(quarantinedBefore) });

    public Task PutAdminRequestAsync(AdminRequest request, CancellationToken cancellationToken) =>
        UpsertAsync(StoreSchema.AdminRequests, AdminRequestRows.ToRow(request));

    public async Task<bool> RemoveAdminRequestAsync(AdminRequestKind kind, string target, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "DELETE FROM admin_requests WHERE kind = @kind AND target = @target",
            new { kind = EnumText.ToText(kind), target }).ConfigureAwait(false) == 1;

    public async Task<JobRerun?> GetJobRerunAsync(JobKey job, CancellationToken cancellationToken)
    {
        var row = await session.QuerySingleOrNullAsync(
            $"{SqlText.Select(StoreSchema.JobReruns)} WHERE forge = @forge AND job_id = @id", new { forge = job.Forge, id = job.Id }).ConfigureAwait(false);
        return row is { } r ? JobRerunRows.FromRow(r) : null;
    }

    public async Task<JobRerun?> FindJobRerunCreatingAsync(JobKey newJob, CancellationToken cancellationToken)
    {
        var row = await session.QuerySingleOrNullAsync(
            $"{SqlText.Select(StoreSchema.JobReruns)} WHERE forge = @forge AND new_job_id = @id ORDER BY lost_at LIMIT 1", new { forge = newJob.Forge, id = newJob.Id }).ConfigureAwait(false);
        return row is { } r ? JobRerunRows.FromRow(r) : null;
    }

    public async Task<int> CountLineRerunsAsync(string forge, string originJobId, CancellationToken cancellationToken) =>
        (int)await session.ScalarAsync<long>(
            "SELECT COUNT(*) FROM job_reruns WHERE forge = @forge AND origin_job_id = @origin AND state IN (@pending, @requested)",
            new { forge, origin = originJobId, pending = EnumText.ToText(JobRerunState.Pending), requested = EnumText.ToText(JobRerunState.Requested) }).ConfigureAwait(false);

    public async Task<bool> TryAddJobRerunAsync(JobRerun rerun, CancellationToken cancellationToken)
    {
        var table = StoreSchema.JobReruns;
        return await session.ExecuteAsync(
            SqlText.Insert(table, withIdentity: true) + " ON CONFLICT (forge, job_id) DO NOTHING",
            DbSession.Parameters(table, JobRerunRows.ToRow(rerun), withIdentity: true)).ConfigureAwait(false) == 1;
    }

    public Task UpdateJobRerunAsync(JobRerun rerun, CancellationToken cancellationToken) =>
        UpsertAsync(StoreSchema.JobReruns, JobRerunRows.ToRow(rerun));

    private Task<int> InsertAsync(TableSchema table, Dictionary<string, object?> row) =>
        session.ExecuteAsync(SqlText.Insert(table, withIdentity: true), DbSession.Parameters(table, row, withIdentity: true));

    private Task<int> UpsertAsync(TableSchema table, Dictionary<string, object?> row) =>
        session.ExecuteAsync(SqlText.Upsert(table), DbSession.Parameters(table, row, withIdentity: true));

    /// <summary>
    /// Rows one multi-row statement writes at most (13 parameters a cost line). Small on purpose: SQLite finds each
    /// parameter by name with a scan of the statement's parameters, so binding a statement costs the square of its
    /// parameter count — 200 rows a statement made binding most of a 1,000-runner cost pass.
    /// </summary>
    internal const int RowsPerStatement = 25;

    private static string MultiRowInsert(TableSchema table, int rows)
    {
        var columns = table.InsertColumns(withIdentity: !table.HasIdentity);
        var values = Enumerable.Range(0, rows).Select(i => $"({string.Join(", ", columns.Select(c => $"@{c.Name}_{i}"))})");
        return $"INSERT INTO {table.Name} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES {string.Join(", ", values)}";
    }

    private static DynamicParameters MultiRowParameters(TableSchema table, IReadOnlyList<Dictionary<string, object?>> rows)
    {
        var columns = table.InsertColumns(withIdentity: !table.HasIdentity);
        var parameters = new DynamicParameters();
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var column in columns)
            {
                rows[i].TryGetValue(column.Name, out var value);
                parameters.Add($"{column.Name}_{i}", value, column.Kind switch
                {
                    ColumnKind.Text => DbType.String,
                    ColumnKind.Integer => DbType.Int64,
                    ColumnKind.Real => DbType.Double,
                    _ => DbType.Binary,
                });
            }
        }

        return parameters;
    }
}
