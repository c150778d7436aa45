using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Storage.Rows;
using Drover.Storage.Schema;
using Drover.Storage.Sql;

namespace Drover.Storage;

/// <summary>The store's queries; shared by both dialects and usable inside or outside a transaction.</summary>
internal static class StateReads
{
    public static async Task<Runner?> GetRunnerAsync(DbSession session, string id)
    {
        var row = await session.QuerySingleOrNullAsync($"{SqlText.Select(StoreSchema.Runners)} WHERE id = @id", new { id }).ConfigureAwait(false);
        return row is { } r ? RunnerRows.FromRow(r) : null;
    }

    public static async Task<IReadOnlyList<Runner>> ListRunnersAsync(DbSession session, string? pool, RunnerState? state)
    {
        var filters = new List<string>();
        if (pool is not null)
        {
            filters.Add("pool = @pool");
        }

        if (state is not null)
        {
            filters.Add("state = @state");
        }

        var where = filters.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", filters);
        var rows = await session.QueryAsync(
            $"{SqlText.Select(StoreSchema.Runners)}{where} ORDER BY id",
            new { pool, state = state is { } s ? EnumText.ToText(s) : null }).ConfigureAwait(false);
        return [.. rows.Select(RunnerRows.FromRow)];
    }

    public static async Task<IReadOnlyList<Runner>> ListLiveRunnersAsync(DbSession session, string? pool)
    {
        var rows = await session.QueryAsync(
            $"{SqlText.Select(StoreSchema.Runners)} WHERE state <> @gone{(pool is null ? string.Empty : " AND pool = @pool")} ORDER BY id",
            new { gone = EnumText.ToText(RunnerState.Gone), pool }).ConfigureAwait(false);
        return [.. rows.Select(RunnerRows.FromRow)];
    }

    public static async Task<IReadOnlyList<RunnerTransition>> GetRunnerHistoryAsync(DbSession session, string runnerId)
    {
        var rows = await session.QueryAsync(
            $"{SqlText.Select(StoreSchema.RunnerHistory)} WHERE runner_id = @runnerId ORDER BY id", new { runnerId }).ConfigureAwait(false);
        return [.. rows.Select(LogRows.TransitionFromRow)];
    }

    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<RunnerTransition>>> GetRunnerHistoriesAsync(DbSession session, IReadOnlyList<string> runnerIds)
    {
        var histories = runnerIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => new List<RunnerTransition>(), StringComparer.Ordinal);
        foreach (var chunk in histories.Keys.Chunk(IdsPerStatement))
        {
            var (list, parameters) = SqlText.IdList(chunk);
            var rows = await session.QueryAsync(
                $"{SqlText.Select(StoreSchema.RunnerHistory)} WHERE runner_id IN ({list}) ORDER BY id",
                parameters).ConfigureAwait(false);
            foreach (var transition in rows.Select(LogRows.TransitionFromRow))
            {
                histories[transition.RunnerId].Add(transition);
            }
        }

        return histories.ToDictionary(h => h.Key, h => (IReadOnlyList<RunnerTransition>)h.Value, StringComparer.Ordinal);
    }

    public static async Task<IReadOnlyList<JobRerun>> ListJobRerunsAsync(DbSession session, JobRerunState? state)
    {
        var rows = state is { } only
            ? await session.QueryAsync($"{SqlText.Select(StoreSchema.JobReruns)} WHERE state = @state ORDER BY lost_at, forge, job_id", new { state = EnumText.ToText(only) }).ConfigureAwait(false)
            : await session.QueryAsync($"{SqlText.Select(StoreSchema.JobReruns)} ORDER BY lost_at, forge, job_id").ConfigureAwait(false);
        return [.. rows.Select(JobRerunRows.FromRow)];
    }

    public static async Task<Job?> GetJobAsync(DbSession session, JobKey key)
    {
        var row = await session.QuerySingleOrNullAsync(
            $"{SqlText.Select(StoreSchema.Jobs)} WHERE forge = @forge AND id = @id", new { forge = key.Forge, id = key.Id }).ConfigureAwait(false);
        return row is { } r ? JobRows.FromRow(r) : null;
    }

    public static async Task<IReadOnlyList<Job>> ListJobsAsync(DbSession session, params JobState[] states)
    {
        var names = states.Select(EnumText.ToText).ToArray();
        var placeholders = string.Join(", ", names.Select((_, i) => $"@s{i}"));
        var parameters = new Dapper.DynamicParameters();
        for (var i = 0; i < names.Length; i++)
        {
            parameters.Add($"s{i}", names[i]);
        }

        var rows = await session.QueryAsync(
            $"{SqlText.Select(StoreSchema.Jobs)} WHERE state IN ({placeholders}) ORDER BY forge, id", parameters).ConfigureAwait(false);
        return [.. rows.Select(JobRows.FromRow)];
    }

    public static async Task<IReadOnlyList<StoredEvent>> ListEventsAsync(DbSession session, EventQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        var select = $"{SqlText.Select(StoreSchema.Events)} WHERE id > @afterId AND at >= @since ORDER BY id{(query.Newest ? " DESC" : string.Empty)} LIMIT @limit";
        var rows = await session.QueryAsync(
            query.Newest ? $"SELECT * FROM ({select}) AS newest ORDER BY id" : select,
            new { afterId = query.AfterId, since = StoreTime.ToStored(query.Since) ?? long.MinValue, limit = (long)query.Limit }).ConfigureAwait(false);
        return [.. rows.Select(LogRows.EventFromRow)];
    }

    public static async Task<IReadOnlyList<RunnerToCost>> ListRunnersToCostAsync(DbSession session)
    {
        var columns = string.Join(", ", StoreSchema.Runners.Columns.Select(c => "r." + c.Name));
        var rows = await session.QueryAsync(
            $"SELECT {columns}, c.costed_until AS mark_until, c.billed_seconds AS mark_billed FROM runners r " +
            "LEFT JOIN runner_costs c ON c.runner_id = r.id " +
            "WHERE r.state <> @gone OR c.costed_until IS NULL OR c.costed_until < r.state_since ORDER BY r.id",
            new { gone = EnumText.ToText(RunnerState.Gone) }).ConfigureAwait(false);
        return [.. rows.Select(ToCost)];
    }

    /// <summary>
    /// Ids one <c>IN (…)</c> list holds at most: SQLite binds each named parameter with a scan of the statement's
    /// parameters, so a statement's binding costs the square of its parameter count.
    /// </summary>
    private const int IdsPerStatement = 100;

    public static async Task<IReadOnlyList<RunnerCostDue>> ListCostDueAsync(DbSession session, DateTimeOffset? goneSince)
    {
        // Two index range reads instead of one scan: the live runners (runners_live), and the gone ones that went since
        // (runners_gone), so the read does not grow with the gone runners retention keeps.
        var gone = EnumText.ToText(RunnerState.Gone);
        var live = await session.QueryAsync(
            "SELECT r.id, c.costed_until AS mark_until FROM runners r LEFT JOIN runner_costs c ON c.runner_id = r.id WHERE r.state <> @gone",
            new { gone }).ConfigureAwait(false);
        var went = await session.QueryAsync(
            "SELECT r.id, c.costed_until AS mark_until FROM runners r LEFT JOIN runner_costs c ON c.runner_id = r.id " +
            "WHERE r.state = @gone AND r.state_since >= @since AND (c.costed_until IS NULL OR c.costed_until < r.state_since)",
            new { gone, since = goneSince is { } at ? StoreTime.ToStored(at) : long.MinValue }).ConfigureAwait(false);
        return [.. live.Concat(went)
            .Select(row => new RunnerCostDue(row.Text("id"), StoreTime.FromStored(row.LongOrNull("mark_until"))))
            .OrderBy(d => d.RunnerId, StringComparer.Ordinal)];
    }

    public static async Task<IReadOnlyList<RunnerToCost>> GetRunnersToCostAsync(DbSession session, IReadOnlyList<string> runnerIds)
    {
        var columns = string.Join(", ", StoreSchema.Runners.Columns.Select(c => "r." + c.Name));
        var found = new List<RunnerToCost>(runnerIds.Count);
        foreach (var chunk in runnerIds.Distinct(StringComparer.Ordinal).Chunk(IdsPerStatement))
        {
            var (list, parameters) = SqlText.IdList(chunk);
            var rows = await session.QueryAsync(
                $"SELECT {columns}, c.costed_until AS mark_until, c.billed_seconds AS mark_billed FROM runners r " +
                $"LEFT JOIN runner_costs c ON c.runner_id = r.id WHERE r.id IN ({list})",
                parameters).ConfigureAwait(false);
            found.AddRange(rows.Select(ToCost));
        }

        return [.. found.OrderBy(r => r.Runner.Id, StringComparer.Ordinal)];
    }

    private static RunnerToCost ToCost(RowReader row)
    {
        var runner = RunnerRows.FromRow(row);
        var mark = row.LongOrNull("mark_until") is { } until
            ? new RunnerCostMark(runner.Id, StoreTime.FromStored(until), CostRows.ParseAmount(row.Text("mark_billed")))
            : null;
        return new RunnerToCost(runner, mark);
    }

    public static async Task<IReadOnlyList<CostEntry>> ListCostAsync(DbSession session, DateTimeOffset from, DateTimeOffset to)
    {
        var rows = await session.QueryAsync(
            $"{SqlText.Select(StoreSchema.CostLedger)} WHERE from_at >= @from AND from_at < @to ORDER BY id",
            new { from = StoreTime.ToStored(from), to = StoreTime.ToStored(to) }).ConfigureAwait(false);
        return [.. rows.Select(CostRows.FromRow)];
    }

    public static async Task<IReadOnlyDictionary<string, decimal>> GetSpendByPoolSinceAsync(DbSession session, DateTimeOffset since)
    {
        var rows = await session.QueryAsync(
            "SELECT pool, amount FROM cost_ledger WHERE from_at >= @since", new { since = StoreTime.ToStored(since) }).ConfigureAwait(false);
        var spend = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var pool = row.Text("pool");
            spend[pool] = spend.GetValueOrDefault(pool) + CostRows.ParseAmount(row.Text("amount"));
        }

        return spend;
    }

    public static async Task<IReadOnlyList<WebhookDelivery>> ListUnprocessedDeliveriesAsync(DbSession session, int limit, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // The order is the partial index webhook_deliveries_waiting's: deliveries that failed before come after new
        // ones, and those still waiting out their retry delay are skipped, so they cannot fill the batch.
        var rows = await session.QueryAsync(
            $"{SqlText.Select(StoreSchema.WebhookDeliveries)} WHERE processed_at IS NULL AND quarantined_at IS NULL " +
            "AND (next_attempt_at IS NULL OR next_attempt_at <= @now) ORDER BY attempts, received_at, forge, delivery_id LIMIT @limit",
            new { limit = (long)limit, now = StoreTime.ToStored(now) }).ConfigureAwait(false);
        return [.. rows.Select(DeliveryRows.FromRow)];
    }

    public static async Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(DbSession session, DeliveryState state, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var where = state switch
        {
            DeliveryState.Waiting => "WHERE processed_at IS NULL AND quarantined_at IS NULL ORDER BY received_at, forge, delivery_id",
            DeliveryState.Quarantined => "WHERE quarantined_at IS NOT NULL ORDER BY quarantined_at DESC, forge, delivery_id",
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown delivery state"),
        };
        var rows = await session.QueryAsync(
            $"{SqlText.Select(StoreSchema.WebhookDeliveries)} {where} LIMIT @limit", new { limit = (long)limit }).ConfigureAwait(false);
        return [.. rows.Select(DeliveryRows.FromRow)];
    }

    public static async Task<WebhookDelivery?> GetDeliveryAsync(DbSession session, string forge, string deliveryId)
    {
        var row = await session.QuerySingleOrNullAsync(
            $"{SqlText.Select(StoreSchema.WebhookDeliveries)} WHERE forge = @forge AND delivery_id = @deliveryId", new { forge, deliveryId }).ConfigureAwait(false);
        return row is { } r ? DeliveryRows.FromRow(r) : null;
    }

    public static async Task<IReadOnlyList<AdminRequest>> ListAdminRequestsAsync(DbSession session)
    {
        var rows = await session.QueryAsync(SqlText.SelectOrdered(StoreSchema.AdminRequests)).ConfigureAwait(false);
        return [.. rows.Select(AdminRequestRows.FromRow)];
    }

    public static Task<long?> GetForgeCursorAsync(DbSession session, string forge, string name) =>
        session.ScalarAsync<long?>("SELECT value FROM forge_cursors WHERE forge = @forge AND name = @name", new { forge, name });

    public static async Task<StoredArrivals> LoadArrivalsAsync(DbSession session)
    {
        var firsts = await session.QueryAsync("SELECT pool, first_arrival FROM arrival_pools ORDER BY pool").ConfigureAwait(false);
        var buckets = await session.QueryAsync("SELECT pool, start, width, jobs, instants FROM arrival_buckets ORDER BY start, width DESC, pool").ConfigureAwait(false);
        return new StoredArrivals(
            firsts.ToDictionary(r => r.Text("pool"), r => r.Time("first_arrival"), StringComparer.Ordinal),
            [.. buckets.Select(r => new ArrivalBucket(r.Text("pool"), r.Time("start"), TimeSpan.FromSeconds(r.Long("width")), r.Int("jobs"), r.Int("instants")))]);
    }

    public static async Task<IReadOnlyList<StoredPool>> ListPoolsAsync(DbSession session)
    {
        var rows = await session.QueryAsync(SqlText.SelectOrdered(StoreSchema.Pools)).ConfigureAwait(false);
        return [.. rows.Select(r => new StoredPool(r.Text("name"), r.Text("config_json"), r.Time("applied_at")))];
    }

    public static async Task<PlanningState> LoadPlanningStateAsync(DbSession session, DateTimeOffset spendSince)
    {
        var observed = await LoadObservedStateAsync(session, spendSince, withRunners: true).ConfigureAwait(false);
        var jobs = await ListJobsAsync(session, JobState.Queued, JobState.Running).ConfigureAwait(false);
        return new PlanningState(observed, jobs);
    }

    public static async Task<ObservedState> LoadObservedStateAsync(DbSession session, DateTimeOffset spendSince, bool withRunners)
    {
        var runners = withRunners
            ? await session.QueryAsync(
                $"{SqlText.Select(StoreSchema.Runners)} WHERE state <> @gone ORDER BY id", new { gone = EnumText.ToText(RunnerState.Gone) }).ConfigureAwait(false)
            : [];
        var breakers = await session.QueryAsync(SqlText.SelectOrdered(StoreSchema.Breakers)).ConfigureAwait(false);
        var ordinals = await session.QueryAsync(SqlText.SelectOrdered(StoreSchema.PoolOrdinals)).ConfigureAwait(false);
        var observed = new ObservedState
        {
            Runners = [.. runners.Select(RunnerRows.FromRow)],
            Breakers = breakers.ToDictionary(r => r.Text("provider"), BreakerRows.FromRow, StringComparer.Ordinal),
            NextOrdinals = ordinals.ToDictionary(r => r.Text("pool"), r => r.Long("next_ordinal"), StringComparer.Ordinal),
            PoolSpend = await GetSpendByPoolSinceAsync(session, spendSince).ConfigureAwait(false),
        };
        return observed;
    }

    public static async Task<LeaderLease?> GetLeaseAsync(DbSession session, string name)
    {
        var row = await session.QuerySingleOrNullAsync($"{SqlText.Select(StoreSchema.Leases)} WHERE name = @name", new { name }).ConfigureAwait(false);
        return row is { } r ? new LeaderLease(r.Text("name"), r.Text("holder"), r.Time("acquired_at"), r.Time("expires_at")) : null;
    }
}
