using System.Globalization;
using Drover.Core.Demand;

namespace Drover.Core.Tests.Demand;

/// <summary>Renders jobs as comparable text; <see cref="Job"/>'s own equality compares label lists by reference.</summary>
internal static class JobSnapshot
{
    public static string Of(Job? job) => job is null
        ? "(none)"
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{job.Key} {job.State} labels=[{string.Join(",", job.Labels)}] scope={job.Scope} run={job.RunId} runner={job.RunnerName} " +
            $"queued={job.QueuedAt:O} started={job.StartedAt:O} finished={job.FinishedAt:O} last={job.LastEventAt:O}");

    public static string Of(JobLedger ledger) =>
        string.Join("\n", ledger.Jobs.OrderBy(job => job.Key.ToString(), StringComparer.Ordinal).Select(Of));

    public static string Keys(IEnumerable<Job> jobs) =>
        string.Join(",", jobs.Select(job => job.Key.ToString()).Order(StringComparer.Ordinal));
}
