using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Runners;

public sealed class ObservationRulesTests
{
    private static readonly Dictionary<string, IReadOnlyList<ProviderInstance>> _noInstances = new() { ["k8s"] = [] };

    [Fact]
    public void Changes_BootingRunnerWhoseRegistrationIsOnline_BecomesIdle()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddMinutes(-1));
        var registration = new ForgeRunner { Forge = "github", Id = "42", Name = runner.Id, Online = true, FirstSeenAt = T0 };

        var change = Assert.Single(Changes(runner, [registration], Listed(runner)));

        Assert.Equal([RunnerState.Registering, RunnerState.Idle], change.Path);
        Assert.Equal("42", change.Change!(runner).ForgeRunnerId);
    }

    [Fact]
    public void Changes_BootingRunnerWhoseRegistrationIsOnline_IsRegisteredAtTheStartOfTheListThatShowedIt()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddMinutes(-1));
        var registration = new ForgeRunner { Forge = "github", Id = "42", Name = runner.Id, Online = true, FirstSeenAt = T0 };

        var change = Assert.Single(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([registration]), T0.AddSeconds(-3), Array.Empty<Job>(), Listed(runner), T0));

        Assert.Equal(T0.AddSeconds(-3), change.Change!(runner).RegisteredAt);
        Assert.Equal(T0.AddSeconds(-9), change.Change!(runner with { RegisteredAt = T0.AddSeconds(-9) }).RegisteredAt);
    }

    [Fact]
    public void Changes_BootingRunnerWhoseInstanceIsGonePastTheGrace_Fails()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0 - ObservationRules.InstanceListGrace);

        var change = Assert.Single(Changes(runner, [], _noInstances));

        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Contains("no longer listed", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_BootingRunnerWhoseInstanceIsGone_WithTheOfflineRegistrationItsCredentialMade_Fails()
    {
        // A GitHub JIT configuration (a GitLab runner token too) registers the runner offline when it is minted; an
        // instance that ended before its runner came online leaves that registration behind.
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0 - ObservationRules.InstanceListGrace);
        var registration = new ForgeRunner { Forge = "github", Id = "42", Name = runner.Id, Online = false, FirstSeenAt = T0 };

        var change = Assert.Single(Changes(runner, [registration], _noInstances));

        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Contains("ended before the runner registered", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_BootingRunnerWhoseInstanceIsMissingWithinTheGrace_IsLeftAlone()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddSeconds(-5));

        Assert.Empty(Changes(runner, [], _noInstances));
    }

    [Fact]
    public void Changes_ProviderThatDidNotAnswer_LeavesItsRunnersAlone()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddHours(-1));

        Assert.Empty(Changes(runner, [], new Dictionary<string, IReadOnlyList<ProviderInstance>>()));
    }

    [Fact]
    public void Changes_IdleRunnerWhoseRegistrationDisappeared_FailsOnlyOnAListThatStartedAfterItsLastChange()
    {
        var runner = Runner("linux", 1, RunnerState.Idle, T0.AddMinutes(-1));

        Assert.Equal([RunnerState.Failed], Assert.Single(Changes(runner, [], Listed(runner))).Path);
        Assert.Empty(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([]), T0.AddMinutes(-2), [], Listed(runner), T0));
    }

    [Fact]
    public void Changes_BusyRunnerWhoseInstanceWasLost_FailsAndNamesTheJobItRan()
    {
        var job = new JobKey("github", "7");
        var runner = Runner("linux", 1, RunnerState.Busy, T0.AddMinutes(-3)) with { Job = job };
        var registration = new ForgeRunner { Forge = "github", Id = "42", Name = runner.Id, Online = true, Busy = true, FirstSeenAt = T0 };

        var change = Assert.Single(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([registration]), T0, [Running(job, runner.Id)], Failed(runner, "spot interruption", InstanceFailureKind.Lost), T0));

        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Equal(job, change.LostJob);
        Assert.Contains("spot interruption", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_BusyRunnerWhoseInstanceFailedOnItsOwn_IsNotALostJob()
    {
        var job = new JobKey("github", "7");
        var runner = Runner("linux", 1, RunnerState.Busy, T0.AddMinutes(-3)) with { Job = job };
        var registration = new ForgeRunner { Forge = "github", Id = "42", Name = runner.Id, Online = true, Busy = true, FirstSeenAt = T0 };

        var changes = ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([registration]), T0, [Running(job, runner.Id)], Failed(runner, "Error: exit code 1", InstanceFailureKind.Unusable), T0);

        Assert.All(changes, c => Assert.Null(c.LostJob));
    }

    [Fact]
    public void Changes_InstanceLostAndItsJobAlreadyFinishedInTheLedger_StillNamesTheJob_TheForgeSaysWhetherItSucceeded()
    {
        var job = new JobKey("github", "7");
        var runner = Runner("linux", 1, RunnerState.Busy, T0.AddMinutes(-3)) with { Job = job };
        var finished = Running(job, runner.Id) with { State = JobState.Completed, FinishedAt = T0 };

        var change = Assert.Single(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([]), T0.AddMinutes(-4), [finished], Failed(runner, "node lost", InstanceFailureKind.Lost), T0));

        // A forge that fails the job the moment its runner vanishes can report it finished before the provider's list
        // shows the loss; the forge's re-run call refuses a job that succeeded, so naming it costs nothing.
        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Equal(job, change.LostJob);
    }

    [Fact]
    public void Changes_InstanceLostUnderAJobDroverNeverSawItTake_TheFinishedJobIsNamed_NotRanItsJobAndExited()
    {
        // The pod took a job and was evicted under it before any observation saw the runner busy (the job's in_progress
        // webhook lost), and the forge failed the job at once: the runner is still Provisioning, its registration gone,
        // the ledger holds the job finished on it. Its instance was lost, not ended after its job.
        var job = new JobKey("github", "9");
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddSeconds(-5));
        var finished = Running(job, runner.Id) with { State = JobState.Completed, FinishedAt = T0 };

        var change = Assert.Single(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([]), T0, [finished], Failed(runner, "Evicted: The node was low on resource: memory.", InstanceFailureKind.Lost), T0));

        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Equal(job, change.LostJob);
    }

    [Fact]
    public void Changes_IdleRunnerLostWithNoJobKnown_FailedAsLost_NoJobNamed()
    {
        var runner = Runner("linux", 1, RunnerState.Idle, T0.AddMinutes(-1));

        var change = Assert.Single(Changes(runner, [], Failed(runner, "killed by signal 9 (SIGKILL)", InstanceFailureKind.Lost)));

        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Null(change.LostJob);
        var failed = change.Change!(runner);
        Assert.Equal((T0, null), (failed.LostAt, failed.Job));
    }

    [Fact]
    public void Changes_IdleRunnerWhoseInstanceFailedOnItsOwn_IsNotMarkedLost()
    {
        var runner = Runner("linux", 1, RunnerState.Idle, T0.AddMinutes(-1));

        var change = Assert.Single(Changes(runner, [], Failed(runner, "Error: exit code 1", InstanceFailureKind.Unusable)));

        Assert.Null(change.Change?.Invoke(runner).LostAt);
    }

    [Theory]
    [InlineData(true, JobState.Completed, 4, true)]
    [InlineData(true, JobState.Running, 4, true)]
    [InlineData(false, JobState.Running, 4, true)]
    [InlineData(false, JobState.Completed, 4, false)]
    [InlineData(true, JobState.Completed, 5, false)]
    public void Changes_FailedAsLostWithNoJob_AJobReportedOnItLater_IsNamedWithinTheWindow(bool ephemeral, JobState state, int minutesAfterLoss, bool named)
    {
        // A finished job counts only in an ephemeral pool (one job per runner); a long-lived runner's finished job may
        // have ended before the loss. Past the window the runner is no longer waited for.
        var job = new JobKey("github", "9");
        var runner = Runner("linux", 1, RunnerState.Failed, T0.AddMinutes(-minutesAfterLoss)) with { LostAt = T0.AddMinutes(-minutesAfterLoss) };
        var reported = Running(job, runner.Id) with { State = state, FinishedAt = state == JobState.Completed ? T0 : null };
        var pool = Pool("linux") with { Ephemeral = ephemeral };

        var changes = ObservationRules.Changes([runner], Fleet(pool), Forges([]), T0, [reported], Listed(runner), T0);

        if (!named)
        {
            Assert.Empty(changes);
            return;
        }

        var change = Assert.Single(changes);
        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Equal(job, change.LostJob);
        Assert.Equal(job, change.Change!(runner).Job);

        // Once named, it is not named again.
        Assert.Empty(ObservationRules.Changes([runner with { Job = job }], Fleet(pool), Forges([]), T0, [reported], Listed(runner), T0));
    }

    [Fact]
    public void Changes_EphemeralRunnerWithAFinishedJobAndNoRegistration_IsGoneOnlyOnceItsProviderAnswered()
    {
        // A finished job and no registration is also what a pod evicted under its job leaves; while the provider cannot be
        // listed (a pod cache not synced after a restart), the runner is left as it is rather than taken for one that ran
        // its job and exited — that would leave its lost pod to the orphan sweep and its job never re-run.
        var job = new JobKey("github", "9");
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddSeconds(-5));
        var finished = Running(job, runner.Id) with { State = JobState.Completed, FinishedAt = T0 };

        Assert.Empty(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([]), T0, [finished], new Dictionary<string, IReadOnlyList<ProviderInstance>>(), T0));

        var change = Assert.Single(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([]), T0, [finished], Listed(runner), T0));
        Assert.Equal(RunnerState.Gone, change.Path[^1]);
        var lost = Assert.Single(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([]), T0, [finished], Failed(runner, "Evicted", InstanceFailureKind.Lost), T0));
        Assert.Equal((RunnerState.Failed, job), (lost.Path[^1], lost.LostJob));
    }

    private static Job Running(JobKey key, string runner) => new() { Key = key, State = JobState.Running, RunnerName = runner, LastEventAt = T0 };

    private static Dictionary<string, IReadOnlyList<ProviderInstance>> Failed(Runner runner, string reason, InstanceFailureKind kind) =>
        new() { ["k8s"] = [new ProviderInstance { Provider = "k8s", InstanceId = runner.InstanceId!, IdempotencyKey = runner.IdempotencyKey, CreatedAt = runner.CreatedAt, Failure = reason, FailureKind = kind }] };

    private static IReadOnlyList<ObservedChange> Changes(Runner runner, IReadOnlyList<ForgeRunner> registrations, IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> instances) =>
        ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges(registrations), T0, Array.Empty<Job>(), instances, T0);

    private static Dictionary<string, IReadOnlyList<ForgeRunner>> Forges(IReadOnlyList<ForgeRunner> registrations) => new() { ["github"] = registrations };

    private static Dictionary<string, IReadOnlyList<ProviderInstance>> Listed(Runner runner) =>
        new() { ["k8s"] = [new ProviderInstance { Provider = "k8s", InstanceId = runner.InstanceId!, IdempotencyKey = runner.IdempotencyKey, CreatedAt = runner.CreatedAt }] };
}
