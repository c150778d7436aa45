using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;

namespace Drover.Engine.Tests;

/// <summary>A runner's delete is recorded as succeeded once, however many deletes of it overlap.</summary>
public sealed class RunnerDeletionTests
{
    [Fact]
    public async Task Delete_TwiceAtOnceInOneProcess_OneProviderCallAndOneSuccess()
    {
        await using var h = await LoopHarness.CreateAsync();
        var runner = await OneRunnerAsync(h);
        using var release = new ManualResetEventSlim();
        var deletes = 0;
        h.Provider.BeforeDelete = _ =>
        {
            Interlocked.Increment(ref deletes);
            release.Wait(TimeSpan.FromSeconds(10));
        };
        var deletion = new RunnerDeletion(Services(h));
        var delete = new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Stuck, "test");

        var first = Task.Run(() => deletion.DeleteAsync(delete, "github", "engine", CancellationToken.None));
        await Drover.Testing.Eventually.TrueAsync(() => Volatile.Read(ref deletes) == 1, "the first delete reached the provider", TimeSpan.FromSeconds(5));
        var second = await deletion.DeleteAsync(delete, "github", "engine", CancellationToken.None);
        release.Set();
        await first;

        Assert.Null(second);
        Assert.Equal(1, deletes);
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
        Assert.Equal(RunnerState.Gone, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Delete_TwoReplicasOverlap_TheSecondToFinishRecordsNoSecondSuccess()
    {
        await using var h = await LoopHarness.CreateAsync();
        var runner = await OneRunnerAsync(h);
        using var release = new ManualResetEventSlim();
        var calls = 0;
        h.Provider.BeforeDelete = _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                release.Wait(TimeSpan.FromSeconds(10));
            }
        };
        var delete = new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Stuck, "test");

        // Two deleters that share nothing but the store, as an old and a new leader would.
        var slow = Task.Run(() => new RunnerDeletion(Services(h)).DeleteAsync(delete, "github", "engine", CancellationToken.None));
        await Drover.Testing.Eventually.TrueAsync(() => Volatile.Read(ref calls) == 1, "the first delete reached the provider", TimeSpan.FromSeconds(5));
        await new RunnerDeletion(Services(h)).DeleteAsync(delete, "github", "engine", CancellationToken.None);
        release.Set();
        await slow;

        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
        Assert.Contains(h.Logger.Messages, m => m.Contains($"Runner {runner.Id}: already deleted by another delete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_RunnerWhoseRegistrationWasNotSeenYet_RemovesTheRegistrationFoundByName()
    {
        await using var h = await LoopHarness.CreateAsync();
        var runner = await OneRunnerAsync(h);
        Assert.Null(runner.ForgeRunnerId);
        // Registered at the forge (a JIT configuration registers at mint time) before any cycle saw it.
        h.Forge.Register(runner.Id);

        await new RunnerDeletion(Services(h)).DeleteAsync(new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Shutdown, "test"), "github", "engine", CancellationToken.None);

        Assert.Empty(await h.Forge.ListRunnersAsync(CancellationToken.None));
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
    }

    [Fact]
    public async Task Delete_ForgeSaysTheRunnerIsRunningAJob_ItsInstanceIsLeftRunningAndTheDeleteFails()
    {
        await using var h = await LoopHarness.CreateAsync();
        var runner = await OneRunnerAsync(h);
        h.Forge.Register(runner.Id, busy: true);
        h.Forge.BeforeUnregister = _ => throw new BusyException();
        var providerDeletes = 0;
        h.Provider.BeforeDelete = _ => providerDeletes++;

        await new RunnerDeletion(Services(h)).DeleteAsync(new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Shutdown, "test"), "github", "engine", CancellationToken.None);

        Assert.Equal(0, providerDeletes);
        Assert.Single(h.Provider.Instances);
        Assert.Equal(0, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteFailed, runner.Id));
        Assert.Equal(RunnerState.Draining, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Delete_UnregisterFailsInPassing_ItsInstanceIsLeftRunningUntilTheRegistrationIsRemoved()
    {
        await using var h = await LoopHarness.CreateAsync();
        var runner = await OneRunnerAsync(h);
        h.Forge.Register(runner.Id);
        // A 502 or a timeout: the runner may still be registered, and may take a job the next moment.
        h.Forge.BeforeUnregister = _ => throw new HttpRequestException("502 Bad Gateway", null, System.Net.HttpStatusCode.BadGateway);
        var providerDeletes = 0;
        h.Provider.BeforeDelete = _ => providerDeletes++;
        var deletion = new RunnerDeletion(Services(h));
        var delete = new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Shutdown, "test");

        await deletion.DeleteAsync(delete, "github", "engine", CancellationToken.None);

        Assert.Equal(0, providerDeletes);
        Assert.Single(h.Provider.Instances);
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteFailed, runner.Id));
        Assert.Equal(RunnerState.Draining, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);

        // The forge answers again: the registration goes, then the instance.
        h.Forge.BeforeUnregister = null;
        await deletion.DeleteAsync(delete, "github", "engine", CancellationToken.None);

        Assert.Equal(1, providerDeletes);
        Assert.Empty(await h.Forge.ListRunnersAsync(CancellationToken.None));
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
        Assert.Equal(RunnerState.Gone, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Delete_RunnerWhoseCreateFailedAfterItsInstanceWasMade_EndsThatInstanceBeforeReportingItDeleted()
    {
        await using var h = await LoopHarness.CreateAsync();
        // The provider carried the create out, but its answer was lost (a 500 after the side effect).
        h.Provider.AfterCreate = _ => throw new HttpRequestException("500 Internal Server Error", null, System.Net.HttpStatusCode.InternalServerError);
        var runner = await OneRunnerAsync(h);
        h.Provider.AfterCreate = null;
        Assert.Equal(RunnerState.Failed, runner.State);
        var instance = Assert.Single(h.Provider.Instances);
        var deleted = new List<string>();
        h.Provider.BeforeDelete = deleted.Add;

        await new RunnerDeletion(Services(h)).DeleteAsync(new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Shutdown, "test"), "github", "engine", CancellationToken.None);

        Assert.Equal([instance.InstanceId], deleted);
        Assert.Empty(h.Provider.Instances);
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
    }

    [Fact]
    public async Task Delete_InstanceMadeByAFailedCreateThatCouldNotBeLookedUp_IsFoundByKeyAndEndedBeforeTheRunnerIsReportedDeleted()
    {
        await using var h = await LoopHarness.CreateAsync();
        // The create was carried out but its answer lost, and the provider could not list when the create failed (a pod
        // cache not synced, a 429): the runner fails without its instance recorded.
        var listFails = false;
        h.Provider.BeforeList = () =>
        {
            if (listFails)
            {
                throw new HttpRequestException("503 Service Unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable);
            }
        };
        h.Provider.AfterCreate = _ =>
        {
            listFails = true;
            throw new HttpRequestException("500 Internal Server Error", null, System.Net.HttpStatusCode.InternalServerError);
        };
        var runner = await OneRunnerAsync(h);
        h.Provider.AfterCreate = null;
        Assert.Equal(RunnerState.Failed, runner.State);
        Assert.Null(runner.InstanceId);
        var instance = Assert.Single(h.Provider.Instances);
        var deleted = new List<string>();
        h.Provider.BeforeDelete = deleted.Add;
        var deletion = new RunnerDeletion(Services(h));
        var delete = new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Failed, "test");

        // While the provider cannot list, the instance cannot be ruled out: the runner is not reported deleted.
        await deletion.DeleteAsync(delete, "github", "engine", CancellationToken.None);

        Assert.Empty(deleted);
        Assert.Equal(0, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteFailed, runner.Id));
        Assert.Equal(RunnerState.Draining, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);

        // The provider lists again: the instance found under the runner's key goes, then the runner.
        listFails = false;
        await deletion.DeleteAsync(delete, "github", "engine", CancellationToken.None);

        Assert.Equal([instance.InstanceId], deleted);
        Assert.Empty(h.Provider.Instances);
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
        Assert.Equal(RunnerState.Gone, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Delete_InstanceMadeByAFailedCreateMissingFromTheProvidersLaggingList_IsFoundByKeyAndEnded()
    {
        await using var h = await LoopHarness.CreateAsync();
        // The kubernetes long form: the create's answer was lost, and the pod cache (a watch that faults had cut) did not
        // hold the pod yet, so a list showed nothing under the runner's key, and the runner was reported deleted with its
        // pod still Pending until the orphan sweep.
        h.Provider.ListLags = true;
        h.Provider.AfterCreate = _ => throw new HttpRequestException("500 Internal Server Error", null, System.Net.HttpStatusCode.InternalServerError);
        var runner = await OneRunnerAsync(h);
        h.Provider.AfterCreate = null;
        Assert.Equal(RunnerState.Failed, runner.State);
        var instance = Assert.Single(h.Provider.Instances);
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
        var deleted = new List<string>();
        h.Provider.BeforeDelete = deleted.Add;

        await new RunnerDeletion(Services(h)).DeleteAsync(new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Failed, "test"), "github", "engine", CancellationToken.None);

        Assert.Equal([instance.InstanceId], deleted);
        Assert.Empty(h.Provider.Instances);
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
    }

    [Fact]
    public async Task Delete_RunnerWhoseCredentialFailed_NoInstanceUnderItsKey_ReportedDeletedWithoutAProviderDelete()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Forge.BeforeMint = (_, _) => throw new HttpRequestException("502 Bad Gateway", null, System.Net.HttpStatusCode.BadGateway);
        var runner = await OneRunnerAsync(h);
        Assert.Equal(RunnerState.Failed, runner.State);
        var deletes = 0;
        h.Provider.BeforeDelete = _ => deletes++;

        await new RunnerDeletion(Services(h)).DeleteAsync(new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Failed, "test"), "github", "engine", CancellationToken.None);

        Assert.Equal(0, deletes);
        Assert.Equal(1, await CountAsync(h, EventKinds.RunnerDeleteSucceeded, runner.Id));
        Assert.Equal(RunnerState.Gone, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
    }

    private sealed class BusyException() : Exception("runner is still running a job"), IClassifiedFailure
    {
        public CallFailureKind FailureKind => CallFailureKind.Busy;

        public DateTimeOffset? RetryAt => null;
    }

    private static async Task<Runner> OneRunnerAsync(LoopHarness h)
    {
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        return Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
    }

    private static ExecutionServices Services(LoopHarness h) => new()
    {
        Store = h.Store,
        Adapters = new EngineAdapters([h.Provider], [h.Forge]),
        Vault = new RunnerCredentialVault(),
        Calls = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0 }, h.Time, new Random(1)),
        Time = h.Time,
        Logger = h.Logger,
        Metrics = h.Metrics,
    };

    private static async Task<int> CountAsync(LoopHarness h, string kind, string subject) =>
        (await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None)).Count(e => e.Kind == kind && e.Subject == subject);
}
