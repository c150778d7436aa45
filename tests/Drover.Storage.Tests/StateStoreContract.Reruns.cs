using Drover.Core.Demand;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>Contract cases for the jobs lost to the infrastructure (<c>job_reruns</c>).</summary>
public abstract partial class StateStoreContract
{
    private static JobRerun Lost(string job, string origin, JobRerunState state, string? newJob = null) => new()
    {
        Job = new JobKey("github", job),
        OriginJobId = origin,
        Attempt = state == JobRerunState.Pending || state == JobRerunState.Requested ? 1 : 0,
        State = state,
        Pool = "linux-x64",
        RunnerId = "drover-linux-x64-3",
        Provider = "k8s",
        InstanceId = "pod-3",
        Reason = "Evicted: the node was low on memory",
        Scope = "acme/api",
        RunId = 42,
        LostAt = T0,
        UpdatedAt = T0.AddSeconds(5),
        Calls = 1,
        NewJobId = newJob,
        Message = "queued again",
    };

    [StoreFact]
    public async Task JobReruns_AddedOncePerJob_FoundByLineAndNewJob_SurviveReopen()
    {
        var store = await OpenAsync();
        var first = Lost("100", "100", JobRerunState.Requested, newJob: "200");
        var second = Lost("200", "100", JobRerunState.Pending);

        var added = await store.InTransactionAsync(async (w, ct) =>
            (await w.TryAddJobRerunAsync(first, ct), await w.TryAddJobRerunAsync(second, ct), await w.TryAddJobRerunAsync(second with { Reason = "again" }, ct)), _none);
        await store.DisposeAsync();
        var reopened = await OpenAsync();

        Assert.Equal((true, true, false), added);
        Assert.Equal([first, second], await reopened.ListJobRerunsAsync(null, _none));
        Assert.Equal([second], await reopened.ListJobRerunsAsync(JobRerunState.Pending, _none));
        var (line, parent, missing) = await reopened.InTransactionAsync(async (w, ct) =>
            (await w.CountLineRerunsAsync("github", "100", ct), await w.FindJobRerunCreatingAsync(new JobKey("github", "200"), ct), await w.GetJobRerunAsync(new JobKey("github", "300"), ct)), _none);
        Assert.Equal((2, first, (JobRerun?)null), (line, parent, missing));

        await reopened.InTransactionAsync(async (w, ct) =>
        {
            await w.UpdateJobRerunAsync(second with { State = JobRerunState.Refused, Message = "403" }, ct);
            return true;
        }, _none);
        Assert.Equal(1, await reopened.InTransactionAsync((w, ct) => w.CountLineRerunsAsync("github", "100", ct), _none));
        Assert.Equal(JobRerunState.Refused, (await reopened.InTransactionAsync((w, ct) => w.GetJobRerunAsync(second.Job, ct), _none))!.State);
    }
}
