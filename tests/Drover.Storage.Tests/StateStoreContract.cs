using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Storage.Schema;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>
/// Every behaviour a state store must have, written once and run against each implementation by a
/// subclass that says how to open (and re-open) its store.
/// </summary>
public abstract partial class StateStoreContract : IAsyncLifetime
{
    private static readonly CancellationToken _none = CancellationToken.None;
    private readonly List<IStateStore> _opened = [];

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>Opens this test's store; each call is a new store object over the same database.</summary>
    protected abstract Task<IStateStore> OpenStoreCoreAsync();

    /// <summary>Opens a store over a different, empty database.</summary>
    protected abstract Task<IStateStore> OpenFreshStoreCoreAsync();

    protected async Task<IStateStore> OpenAsync() => Track(await OpenStoreCoreAsync());

    protected async Task<IStateStore> OpenFreshAsync() => Track(await OpenFreshStoreCoreAsync());

    [StoreFact]
    public async Task Open_Reopened_MigrationsAreIdempotentAndDataStays()
    {
        var first = await OpenAsync();
        await Write(first, (w, ct) => w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1"), "planned", ct));
        await first.DisposeAsync();

        var second = await OpenAsync();
        var third = await OpenAsync();

        Assert.Equal(StoreSchema.CurrentVersion, await second.GetSchemaVersionAsync(_none));
        Assert.Equal(StoreSchema.CurrentVersion, await third.GetSchemaVersionAsync(_none));
        Assert.NotNull(await third.GetRunnerAsync("drover-linux-x64-1", _none));
    }

    [StoreFact]
    public async Task Open_SchemaNewerThanCode_IsRefused()
    {
        var store = (RelationalStateStore)await OpenAsync();
        await store.ExecuteRawAsync("INSERT INTO schema_version (version, name) VALUES (99, 'from_the_future')", _none);
        await store.DisposeAsync();

        var error = await Assert.ThrowsAsync<StateStoreException>(OpenAsync);

        Assert.Contains("schema version 99, newer than this Drover", error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task UpsertRunner_NewThenChanged_LoadsLatestAndRecordsEveryStateChange()
    {
        var store = await OpenAsync();
        var requested = NewRunner("drover-linux-x64-1");
        var provisioning = requested with { State = RunnerState.Provisioning, StateSince = T0.AddSeconds(5), InstanceId = "i-1" };

        await Write(store, (w, ct) => w.UpsertRunnerAsync(requested, "planned", ct));
        await Write(store, (w, ct) => w.UpsertRunnerAsync(provisioning, "provider accepted", ct));
        await Write(store, (w, ct) => w.UpsertRunnerAsync(provisioning with { FailureReason = "note", LostAt = T0.AddSeconds(1) }, "same state again", ct));
        await Write(store, (w, ct) => w.UpsertRunnerAsync(NewRunner("drover-linux-x64-2", RunnerState.Idle), "adopted", ct));
        await Write(store, (w, ct) => w.UpsertRunnerAsync(NewRunner("drover-gpu-3", pool: "gpu"), "planned", ct));

        Assert.Equal(provisioning with { FailureReason = "note", LostAt = T0.AddSeconds(1) }, await store.GetRunnerAsync("drover-linux-x64-1", _none));
        Assert.Null(await store.GetRunnerAsync("nope", _none));
        Assert.Equal(
            [
                new RunnerTransition("drover-linux-x64-1", T0, null, RunnerState.Requested, "planned"),
                new RunnerTransition("drover-linux-x64-1", T0.AddSeconds(5), RunnerState.Requested, RunnerState.Provisioning, "provider accepted"),
            ],
            await store.GetRunnerHistoryAsync("drover-linux-x64-1", _none));
        Assert.Equal(["drover-linux-x64-1", "drover-linux-x64-2"], (await store.ListRunnersAsync("linux-x64", null, _none)).Select(r => r.Id));
        Assert.Equal(["drover-linux-x64-2"], (await store.ListRunnersAsync(null, RunnerState.Idle, _none)).Select(r => r.Id));
        Assert.Equal(3, (await store.ListRunnersAsync(null, null, _none)).Count);
        Assert.Empty(await store.ListRunnersAsync("gpu", RunnerState.Idle, _none));
    }

    [StoreFact]
    public async Task UpsertJob_WithWhatTheForgeToldOfItsRef_LoadsItBackAfterReopening()
    {
        var store = await OpenAsync();
        var deploy = NewJob("905") with { Ref = "main", RefKind = JobRefKind.DefaultBranch, Environment = "production" };
        var review = NewJob("906") with { Ref = "refs/merge-requests/12/head", RefKind = JobRefKind.PullRequest };
        var untold = NewJob("907");
        await Write(store, async (w, ct) =>
        {
            await w.UpsertJobAsync(deploy, ct);
            await w.UpsertJobAsync(review, ct);
            await w.UpsertJobAsync(untold, ct);
        });
        await store.DisposeAsync();

        var reopened = await OpenAsync();

        foreach (var job in new[] { deploy, review, untold })
        {
            var read = await reopened.GetJobAsync(job.Key, _none);
            Assert.NotNull(read);
            Assert.Equal((job.Ref, job.RefKind, job.Environment), (read.Ref, read.RefKind, read.Environment));
        }

    }

    [StoreFact]
    public async Task UpsertJob_WithPhaseMilestones_LoadsThemBackAfterReopening()
    {
        var store = await OpenAsync();
        var times = new JobRunnerTimes
        {
            RunnerId = "drover-linux-x64-7",
            RequestedAt = T0.AddSeconds(1),
            InstanceCreatedAt = T0.AddSeconds(3),
            RegisteredAt = T0.AddSeconds(30.25),
            ReadyAt = T0.AddSeconds(31),
        };
        var job = NewJob("903", JobState.Running) with { RunnerName = "drover-linux-x64-7", StartedAt = T0.AddSeconds(35), KnownAt = T0.AddMilliseconds(400), RunnerTimes = times };
        var bare = NewJob("904", JobState.Running) with { RunnerName = "someone-elses-runner" };
        var runner = NewRunner("drover-linux-x64-7", RunnerState.Busy) with { ProvisionedAt = T0.AddSeconds(3), RegisteredAt = T0.AddSeconds(30.25), ReadyAt = T0.AddSeconds(31) };
        await Write(store, async (w, ct) =>
        {
            await w.UpsertJobAsync(job, ct);
            await w.UpsertJobAsync(bare, ct);
            await w.UpsertRunnerAsync(runner, "took a job", ct);
        });
        await store.DisposeAsync();

        var reopened = await OpenAsync();

        Assert.Equal(job, await reopened.GetJobAsync(job.Key, _none) is { } read ? read with { Labels = job.Labels } : null);
        var readBare = await reopened.GetJobAsync(bare.Key, _none);
        Assert.NotNull(readBare);
        Assert.Null(readBare.KnownAt);
        Assert.Null(readBare.RunnerTimes);
        Assert.Equal(runner, await reopened.GetRunnerAsync(runner.Id, _none));
    }

    [StoreFact]
    public async Task InTransaction_WorkThrows_NothingIsWritten()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.InTransactionAsync<bool>(
            async (w, ct) =>
            {
                await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1"), "planned", ct);
                await w.AppendEventAsync(new NewEvent(T0, "planner", "plan.create", "drover-linux-x64-1", "create"), ct);
                await w.UpsertJobAsync(NewJob("901"), ct);
                await w.AddCostAsync(NewCost("linux-x64", T0, 1m), ct);
                await w.SetNextOrdinalAsync("linux-x64", 2, ct);
                throw new InvalidOperationException("provider exploded");
            },
            _none));

        Assert.Empty(await store.ListRunnersAsync(null, null, _none));
        Assert.Empty(await store.GetRunnerHistoryAsync("drover-linux-x64-1", _none));
        Assert.Empty(await store.ListEventsAsync(new EventQuery(), _none));
        Assert.Null(await store.GetJobAsync(new JobKey("github", "901"), _none));
        Assert.Empty(await store.GetSpendByPoolSinceAsync(T0.AddDays(-1), _none));
        Assert.Empty((await store.LoadPlanningStateAsync(T0, _none)).Observed.NextOrdinals);
    }

    [StoreFact]
    public async Task Intent_WrittenThenCrashBeforeConfirm_IsFoundOnReloadAsRequested()
    {
        var before = await OpenAsync();
        var intent = NewRunner("drover-linux-x64-7");
        await Write(before, async (w, ct) =>
        {
            await w.SetNextOrdinalAsync("linux-x64", 8, ct);
            await w.UpsertRunnerAsync(intent, "plan: create", ct);
            await w.AppendEventAsync(new NewEvent(T0, "executor", "runner.create-intent", intent.Id, "create requested"), ct);
        });

        // The provider call happens here; the process dies while confirming.
        await Assert.ThrowsAsync<OperationCanceledException>(() => before.InTransactionAsync<bool>(
            async (w, ct) =>
            {
                await w.UpsertRunnerAsync(intent with { State = RunnerState.Provisioning, InstanceId = "i-7" }, "provider accepted", ct);
                throw new OperationCanceledException("process killed");
            },
            _none));
        await before.DisposeAsync();

        var after = await OpenAsync();
        var planning = await after.LoadPlanningStateAsync(T0, _none);

        var runner = Assert.Single(planning.Observed.Runners);
        Assert.Equal(RunnerState.Requested, runner.State);
        Assert.Equal("drover-linux-x64-7", runner.IdempotencyKey);
        Assert.Null(runner.InstanceId);
        Assert.Equal(8, planning.Observed.NextOrdinals["linux-x64"]);
        Assert.Equal("runner.create-intent", Assert.Single(await after.ListEventsAsync(new EventQuery(), _none)).Kind);
    }

    [StoreFact]
    public async Task Jobs_UpsertedAndListed_ActiveJobsFeedThePlanner()
    {
        var store = await OpenAsync();
        await Write(store, async (w, ct) =>
        {
            await w.UpsertJobAsync(NewJob("1"), ct);
            await w.UpsertJobAsync(NewJob("2", JobState.Running), ct);
            await w.UpsertJobAsync(NewJob("3"), ct);
            await w.UpsertJobAsync(NewJob("3", JobState.Completed) with { FinishedAt = T0.AddMinutes(3), RunnerName = "r" }, ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-9", RunnerState.Gone), "gone", ct);
        });

        var completed = await store.GetJobAsync(new JobKey("github", "3"), _none);
        var planning = await store.LoadPlanningStateAsync(T0, _none);

        var expected = NewJob("3", JobState.Completed) with { FinishedAt = T0.AddMinutes(3), RunnerName = "r" };
        Assert.Equal(expected, completed! with { Labels = expected.Labels });
        Assert.Equal(["self-hosted", "linux", "x64"], completed.Labels);
        Assert.Equal(["1"], (await store.ListJobsAsync(JobState.Queued, _none)).Select(j => j.Key.Id));
        Assert.Equal(["1", "2"], planning.ActiveJobs.Select(j => j.Key.Id));
        Assert.Empty(planning.Observed.Runners);
    }

    [StoreFact]
    public async Task Pools_Replaced_OnlyTheLastAppliedRemain()
    {
        var store = await OpenAsync();
        await Write(store, (w, ct) => w.ReplacePoolsAsync([new("a", "{}", T0), new("b", """{"max":2}""", T0)], ct));
        await Write(store, (w, ct) => w.ReplacePoolsAsync([new("b", """{"max":3}""", T0.AddHours(1))], ct));

        Assert.Equal([new StoredPool("b", """{"max":3}""", T0.AddHours(1))], await store.ListPoolsAsync(_none));
    }

    protected static Task Write(IStateStore store, Func<IStateWriter, CancellationToken, Task> work) =>
        store.InTransactionAsync(
            async (w, ct) =>
            {
                await work(w, ct);
                return true;
            },
            _none);

    private IStateStore Track(IStateStore store)
    {
        _opened.Add(store);
        return store;
    }
}
