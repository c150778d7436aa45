using System.Text.Json;
using Drover.Core.Demand;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="Job"/> to and from the <c>jobs</c> table; labels are a JSON array.</summary>
internal static class JobRows
{
    public static Dictionary<string, object?> ToRow(Job job) => new()
    {
        ["forge"] = job.Key.Forge,
        ["id"] = job.Key.Id,
        ["state"] = EnumText.ToText(job.State),
        ["labels_json"] = JsonSerializer.Serialize(job.Labels),
        ["scope"] = job.Scope,
        ["queued_at"] = StoreTime.ToStored(job.QueuedAt),
        ["started_at"] = StoreTime.ToStored(job.StartedAt),
        ["finished_at"] = StoreTime.ToStored(job.FinishedAt),
        ["runner_name"] = job.RunnerName,
        ["run_id"] = job.RunId,
        ["last_event_at"] = StoreTime.ToStored(job.LastEventAt),
    };

    public static Job FromRow(RowReader row) => new()
    {
        Key = new JobKey(row.Text("forge"), row.Text("id")),
        State = EnumText.Parse<JobState>(row.Text("state")),
        Labels = JsonSerializer.Deserialize<string[]>(row.Text("labels_json")) ?? [],
        Scope = row.TextOrNull("scope"),
        QueuedAt = row.TimeOrNull("queued_at"),
        StartedAt = row.TimeOrNull("started_at"),
        FinishedAt = row.TimeOrNull("finished_at"),
        RunnerName = row.TextOrNull("runner_name"),
        RunId = row.LongOrNull("run_id"),
        LastEventAt = row.Time("last_event_at"),
    };
}
