using Drover.Core.Demand;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="JobRerun"/> to and from <c>job_reruns</c>.</summary>
internal static class JobRerunRows
{
    public static Dictionary<string, object?> ToRow(JobRerun r) => new()
    {
        ["forge"] = r.Job.Forge,
        ["job_id"] = r.Job.Id,
        ["origin_job_id"] = r.OriginJobId,
        ["attempt"] = (long)r.Attempt,
        ["state"] = EnumText.ToText(r.State),
        ["pool"] = r.Pool,
        ["runner_id"] = r.RunnerId,
        ["provider"] = r.Provider,
        ["instance_id"] = r.InstanceId,
        ["reason"] = r.Reason,
        ["scope"] = r.Scope,
        ["run_id"] = r.RunId,
        ["lost_at"] = StoreTime.ToStored(r.LostAt),
        ["updated_at"] = StoreTime.ToStored(r.UpdatedAt),
        ["calls"] = (long)r.Calls,
        ["new_job_id"] = r.NewJobId,
        ["message"] = r.Message,
    };

    public static JobRerun FromRow(RowReader row) => new()
    {
        Job = new JobKey(row.Text("forge"), row.Text("job_id")),
        OriginJobId = row.Text("origin_job_id"),
        Attempt = row.Int("attempt"),
        State = EnumText.Parse<JobRerunState>(row.Text("state")),
        Pool = row.Text("pool"),
        RunnerId = row.Text("runner_id"),
        Provider = row.Text("provider"),
        InstanceId = row.TextOrNull("instance_id"),
        Reason = row.Text("reason"),
        Scope = row.TextOrNull("scope"),
        RunId = row.LongOrNull("run_id"),
        LostAt = row.Time("lost_at"),
        UpdatedAt = row.Time("updated_at"),
        Calls = row.Int("calls"),
        NewJobId = row.TextOrNull("new_job_id"),
        Message = row.TextOrNull("message"),
    };
}
