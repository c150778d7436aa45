namespace Drover.Storage.Schema;

/// <summary>
/// The one description of the store's tables that queries, export and import share. The migrations in
/// <c>Migrations/</c> create exactly these tables in each dialect; a test checks they agree.
/// </summary>
internal static class StoreSchema
{
    /// <summary>The newest schema version this code knows (the highest migration number).</summary>
    public const int CurrentVersion = 12;

    /// <summary>
    /// The oldest schema whose backups restore into this one. Valid while every migration after it only adds tables
    /// (a table missing from an older backup stays empty) or adds columns that are nullable or have a
    /// <see cref="ColumnSchema.Default"/> (what a row of an older backup gets); raise it when a migration changes an
    /// existing table otherwise.
    /// </summary>
    public const int OldestRestorableVersion = 1;

    public static readonly TableSchema Pools = new("pools", [Text("name"), Text("config_json"), Int("applied_at")], ["name"]);

    public static readonly TableSchema Jobs = new(
        "jobs",
        [
            Text("forge"), Text("id"), Text("state"), Text("labels_json"), Text("scope", true), Int("queued_at", true),
            Int("started_at", true), Int("finished_at", true), Text("runner_name", true), Int("run_id", true), Int("last_event_at"),
            Int("known_at", true), Text("phase_runner_id", true), Int("runner_requested_at", true), Int("instance_created_at", true),
            Int("runner_registered_at", true), Int("runner_ready_at", true), Text("job_ref", true), Text("ref_kind", true),
            Text("environment", true),
        ],
        ["forge", "id"]);

    public static readonly TableSchema Runners = new(
        "runners",
        [
            Text("id"), Text("pool"), Text("provider"), Text("idempotency_key"), Int("ordinal"), Text("state"), Int("state_since"),
            Int("created_at"), Text("instance_id", true), Text("forge_runner_id", true), Text("job_forge", true), Text("job_id", true),
            Int("attempt"), Text("failure_reason", true), Int("lost_at", true),
            Int("provisioned_at", true), Int("registered_at", true), Int("ready_at", true),
        ],
        ["id"]);

    public static readonly TableSchema RunnerHistory = new(
        "runner_history",
        [Int("id"), Text("runner_id"), Int("at"), Text("from_state", true), Text("to_state"), Text("reason")],
        ["id"],
        HasIdentity: true);

    public static readonly TableSchema Events = new(
        "events",
        [Int("id"), Int("at"), Text("actor"), Text("kind"), Text("subject"), Text("message"), Text("data_json", true)],
        ["id"],
        HasIdentity: true);

    public static readonly TableSchema CostLedger = new(
        "cost_ledger",
        [
            Int("id"), Text("pool"), Text("team", true), Text("provider"), Int("from_at"), Int("to_at"),
            new ColumnSchema("runner_seconds", ColumnKind.Real), Text("amount"), Text("currency"),
            Text("kind", true), Text("runner_id", true), Text("job_forge", true), Text("job_id", true), Text("scope", true),
        ],
        ["id"],
        HasIdentity: true);

    public static readonly TableSchema RunnerCosts = new(
        "runner_costs", [Text("runner_id"), Int("costed_until"), Text("billed_seconds")], ["runner_id"]);

    public static readonly TableSchema BudgetAlerts = new(
        "budget_alerts", [Text("budget"), Int("period_start"), Text("threshold"), Int("raised_at")], ["budget", "period_start", "threshold"]);

    public static readonly TableSchema PoolOrdinals = new("pool_ordinals", [Text("pool"), Int("next_ordinal")], ["pool"]);

    public static readonly TableSchema Breakers = new(
        "breakers",
        [Text("provider"), Text("status"), Int("consecutive_failures"), Int("opened_at", true), Int("half_open_successes")],
        ["provider"]);

    public static readonly TableSchema WebhookDeliveries = new(
        "webhook_deliveries",
        [
            Text("forge"), Text("delivery_id"), Int("received_at"), Text("headers_json"),
            new ColumnSchema("body", ColumnKind.Blob), Int("processed_at", true),
            new ColumnSchema("attempts", ColumnKind.Integer, Default: 0L), Int("next_attempt_at", true), Text("last_failure", true),
            Int("quarantined_at", true),
        ],
        ["forge", "delivery_id"]);

    public static readonly TableSchema Leases = new(
        "leases",
        [Text("name"), Text("holder"), Int("acquired_at"), Int("expires_at")],
        ["name"]);

    public static readonly TableSchema AdminRequests = new(
        "admin_requests",
        [Text("kind"), Text("target"), Text("actor"), Int("requested_at"), Text("reason")],
        ["kind", "target"]);

    public static readonly TableSchema JobReruns = new(
        "job_reruns",
        [
            Text("forge"), Text("job_id"), Text("origin_job_id"), Int("attempt"), Text("state"), Text("pool"), Text("runner_id"),
            Text("provider"), Text("instance_id", true), Text("reason"), Text("scope", true), Int("run_id", true), Int("lost_at"),
            Int("updated_at"), Int("calls"), Text("new_job_id", true), Text("message", true),
        ],
        ["forge", "job_id"]);

    /// <summary>Arrival history of the predictive policy: <c>start</c> in microseconds like every time, <c>width</c> in seconds (1 or 3600).</summary>
    public static readonly TableSchema ArrivalBuckets = new(
        "arrival_buckets", [Text("pool"), Int("start"), Int("width"), Int("jobs"), Int("instants")], ["pool", "start", "width"]);

    public static readonly TableSchema ArrivalPools = new("arrival_pools", [Text("pool"), Int("first_arrival")], ["pool"]);

    /// <summary>How far a forge adapter's own demand stream has got (a scale set's last acknowledged message id).</summary>
    public static readonly TableSchema ForgeCursors = new("forge_cursors", [Text("forge"), Text("name"), Int("value"), Int("updated_at")], ["forge", "name"]);

    /// <summary>Every data table, parents before children (insert order; delete in reverse).</summary>
    public static readonly IReadOnlyList<TableSchema> Tables =
        [Pools, Jobs, Runners, RunnerHistory, Events, CostLedger, RunnerCosts, BudgetAlerts, PoolOrdinals, Breakers, WebhookDeliveries, Leases, AdminRequests, JobReruns, ArrivalBuckets, ArrivalPools, ForgeCursors];

    public static TableSchema? Find(string name) => Tables.FirstOrDefault(t => t.Name == name);

    private static ColumnSchema Text(string name, bool nullable = false) => new(name, ColumnKind.Text, nullable);

    private static ColumnSchema Int(string name, bool nullable = false) => new(name, ColumnKind.Integer, nullable);
}
