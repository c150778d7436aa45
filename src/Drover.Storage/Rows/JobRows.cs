using System.Text.Json;
using Drover.Core.Demand;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>
/// Maps <see cref="Job"/> to and from the <c>jobs</c> table; labels are a JSON array, and the runner milestones
/// (<see cref="Job.RunnerTimes"/>) are the <c>phase_runner_id</c> and <c>runner_*_at</c> / <c>instance_created_at</c> columns,
/// and what the forge told of the job's ref the <c>job_ref</c>, <c>ref_kind</c> (kebab-case) and <c>environment</c> columns.
/// </summary>
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
        ["known_at"] = StoreTime.ToStored(job.KnownAt),
        ["phase_runner_id"] = job.RunnerTimes?.RunnerId,
        ["runner_requested_at"] = StoreTime.ToStored(job.RunnerTimes?.RequestedAt),
        ["instance_created_at"] = StoreTime.ToStored(job.RunnerTimes?.InstanceCreatedAt),
        ["runner_registered_at"] = StoreTime.ToStored(job.RunnerTimes?.RegisteredAt),
        ["runner_ready_at"] = StoreTime.ToStored(job.RunnerTimes?.ReadyAt),
        ["job_ref"] = job.Ref,
        ["ref_kind"] = job.RefKind is { } kind ? EnumText.ToText(kind) : null,
        ["environment"] = job.Environment,
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
        KnownAt = row.TimeOrNull("known_at"),
        RunnerTimes = row.TextOrNull("phase_runner_id") is { } runnerId && row.TimeOrNull("runner_requested_at") is { } requestedAt
            ? new JobRunnerTimes
            {
                RunnerId = runnerId,
                RequestedAt = requestedAt,
                InstanceCreatedAt = row.TimeOrNull("instance_created_at"),
                RegisteredAt = row.TimeOrNull("runner_registered_at"),
                ReadyAt = row.TimeOrNull("runner_ready_at"),
            }
            : null,
        Ref = row.TextOrNull("job_ref"),
        RefKind = row.TextOrNull("ref_kind") is { } kind ? EnumText.Parse<JobRefKind>(kind) : null,
        Environment = row.TextOrNull("environment"),
    };
}
