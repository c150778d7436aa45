using Drover.Core.Demand;
using Drover.Core.Runners;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="Runner"/> to and from the <c>runners</c> table.</summary>
internal static class RunnerRows
{
    public static Dictionary<string, object?> ToRow(Runner runner) => new()
    {
        ["id"] = runner.Id,
        ["pool"] = runner.Pool,
        ["provider"] = runner.Provider,
        ["idempotency_key"] = runner.IdempotencyKey,
        ["ordinal"] = runner.Ordinal,
        ["state"] = EnumText.ToText(runner.State),
        ["state_since"] = StoreTime.ToStored(runner.StateSince),
        ["created_at"] = StoreTime.ToStored(runner.CreatedAt),
        ["instance_id"] = runner.InstanceId,
        ["forge_runner_id"] = runner.ForgeRunnerId,
        ["job_forge"] = runner.Job?.Forge,
        ["job_id"] = runner.Job?.Id,
        ["attempt"] = (long)runner.Attempt,
        ["failure_reason"] = runner.FailureReason,
        ["lost_at"] = StoreTime.ToStored(runner.LostAt),
        ["provisioned_at"] = StoreTime.ToStored(runner.ProvisionedAt),
        ["registered_at"] = StoreTime.ToStored(runner.RegisteredAt),
        ["ready_at"] = StoreTime.ToStored(runner.ReadyAt),
    };

    public static Runner FromRow(RowReader row) => new()
    {
        Id = row.Text("id"),
        Pool = row.Text("pool"),
        Provider = row.Text("provider"),
        IdempotencyKey = row.Text("idempotency_key"),
        Ordinal = row.Long("ordinal"),
        State = EnumText.Parse<RunnerState>(row.Text("state")),
        StateSince = row.Time("state_since"),
        CreatedAt = row.Time("created_at"),
        InstanceId = row.TextOrNull("instance_id"),
        ForgeRunnerId = row.TextOrNull("forge_runner_id"),
        Job = row.TextOrNull("job_forge") is { } forge && row.TextOrNull("job_id") is { } id ? new JobKey(forge, id) : null,
        Attempt = row.Int("attempt"),
        FailureReason = row.TextOrNull("failure_reason"),
        LostAt = row.TimeOrNull("lost_at"),
        ProvisionedAt = row.TimeOrNull("provisioned_at"),
        RegisteredAt = row.TimeOrNull("registered_at"),
        ReadyAt = row.TimeOrNull("ready_at"),
    };
}
