using Drover.Core.Config;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;
using static Drover.Simulation.Tests.TestScenarios;

namespace Drover.Simulation.Tests.Baselines;

/// <summary>Each baseline on three jobs with a 60 s boot and 120 s durations, waits and runner-minutes worked out by hand.</summary>
public class BaselineRuleTests
{
    private static readonly SimulatedJob[] ThreeJobs = [Job(0), Job(2), Job(400)];

    private static SimulationResult Run(string label, params SimulatedJob[] jobs) => Entry(label).Run(Of(jobs), Boot60);

    private static SimulationResult Run(BaselineEntry entry, params SimulatedJob[] jobs) => entry.Run(Of(jobs), Boot60);

    [Fact]
    public void ArcScaleSet_MinRunnersZero_EachJobWaitsOneBoot()
    {
        var result = Run("arc-scale-set-min-0", ThreeJobs);

        Assert.Equal(60, result.WaitMaxSeconds, 6);
        Assert.Equal(60, result.WaitP50Seconds, 6);
        Assert.Equal(3 * 180 / 60.0, result.RunnerMinutes, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void ArcScaleSet_MinRunnersFive_FirstJobsStartOnWarmRunners()
    {
        // Five warm runners boot from t=0 (ready at 60); jobs at 0 and 2 take two of them at 60; the job at 400 starts at once.
        var result = Run("arc-scale-set-min-5", ThreeJobs);

        Assert.Equal(58, result.WaitP50Seconds, 6);
        Assert.Equal(60, result.WaitMaxSeconds, 6);
        Assert.Equal(5, result.RunnersLeft);
    }

    [Fact]
    public void Garm_MinIdleZero_JobCountsAtTheFirstFiveSecondTickAfterThirtySeconds()
    {
        // Job at 0 counts at 30 (ready 90); job at 2 counts at 35 (ready 95: waits 93); job at 400 counts at 430 (ready 490).
        var result = Run("garm-minidle-0", ThreeJobs);

        Assert.Equal(90, result.WaitP50Seconds, 6);
        Assert.Equal(93, result.WaitMaxSeconds, 6);
        Assert.Equal(3 * 180 / 60.0, result.RunnerMinutes, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Garm_SurplusIdle_RemovesHalfPerMinutePass()
    {
        var policy = new GarmPolicy();
        var context = PolicyContexts.At(new DateTimeOffset(2024, 1, 1, 0, 1, 0, TimeSpan.Zero), idle: 4, busy: 0, minIdle: 0);

        var decision = policy.Decide(context);

        Assert.Equal(2, decision.Desired);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 2, 0, TimeSpan.Zero), decision.RecheckAt);
    }

    [Fact]
    public void Garm_BetweenTicks_KeepsTheFleetAndRechecksAtTheNextTick()
    {
        var context = PolicyContexts.At(new DateTimeOffset(2024, 1, 1, 0, 0, 2, TimeSpan.Zero), idle: 0, busy: 0, minIdle: 2);

        var decision = new GarmPolicy().Decide(context);

        Assert.Equal(0, decision.Desired);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 5, TimeSpan.Zero), decision.RecheckAt);
    }

    [Fact]
    public void Philips_NoPool_EachJobWaitsDelayPlusBoot()
    {
        var result = Run("philips", ThreeJobs);

        Assert.Equal(90, result.WaitP50Seconds, 6);
        Assert.Equal(90, result.WaitMaxSeconds, 6);
        Assert.Equal(3 * 180 / 60.0, result.RunnerMinutes, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Philips_Pool_ToppedUpOnlyAtFiveMinuteTicks()
    {
        // t=0 is a tick: five pool runners boot at once and take the jobs at 0 and 2 at 60 (waits 60, 58). The next
        // top-up is the tick at 300 (ready 360), so the job at 400 starts at once; nothing is topped up in between.
        var result = Run("philips-pool-5", ThreeJobs);

        Assert.Equal(58, result.WaitP50Seconds, 6);
        Assert.Equal(60, result.WaitMaxSeconds, 6);
        Assert.Equal(5, result.RunnersLeft);
        Assert.Equal(8, result.RunnersCreated);
    }

    [Fact]
    public void ArcWebhook_QueuedEventReservesARunner()
    {
        // Jobs at 0 and 2 each reserve a runner (waits 60). Their completions at 180 and 182 drop the reservations, but
        // the scale-down is held until 602 (10 min after the scale-up at 2), so the exited ephemeral runners are
        // replaced at 180 and 182; the job at 400 takes one at once, and its own replacement is made at 520.
        // Runner-seconds: 180 + 180 + (520 - 180) + (602 - 182) + (602 - 520) = 1202.
        var result = Run("arc-webhook", ThreeJobs);

        Assert.Equal(60, result.WaitMaxSeconds, 6);
        Assert.Equal(1202 / 60.0, result.RunnerMinutes, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void ArcWebhook_ReservationExpiresAfterTenMinutes()
    {
        var policy = new ArcWebhookPolicy();
        var history = new PoolFlowHistory();
        var t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        history.Record("default", t0, Core.Demand.JobEventKind.Queued);

        var atOnce = policy.Decide(PolicyContexts.At(t0, idle: 0, busy: 0, minIdle: 0, history: history));
        var later = policy.Decide(PolicyContexts.At(t0.AddMinutes(10), idle: 1, busy: 0, minIdle: 0, history: history));

        Assert.Equal(1, atOnce.Desired);
        Assert.Equal(t0.AddMinutes(10), atOnce.RecheckAt);
        Assert.Equal(0, later.Desired);
    }

    [Fact]
    public void ArcWebhook_ScaleDownWaitsTenMinutesAfterScaleUp()
    {
        var policy = new ArcWebhookPolicy();
        var history = new PoolFlowHistory();
        var t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        history.Record("default", t0, Core.Demand.JobEventKind.Queued);
        policy.Decide(PolicyContexts.At(t0, idle: 0, busy: 0, minIdle: 0, history: history));
        history.Record("default", t0.AddMinutes(2), Core.Demand.JobEventKind.Completed);

        var held = policy.Decide(PolicyContexts.At(t0.AddMinutes(2), idle: 1, busy: 0, minIdle: 0, history: history));

        Assert.Equal(1, held.Desired);
        Assert.Equal(t0.AddMinutes(10), held.RecheckAt);
    }

    [Fact]
    public void GitLabTaskscaler_ScalesOnlyAtUpdateTicks()
    {
        // Idle count 0 for this check: the job at 10 s gets its instance at the 60 s update (ready at 120: waits 110).
        var entry = Entry("gitlab-taskscaler") with { Tweak = p => p with { Idle = 0, IdleTimeout = TimeSpan.FromMinutes(20) } };

        var result = Run(entry, Job(10));

        Assert.Equal(110, result.WaitMaxSeconds, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Static_KeepsExactlyNRunners()
    {
        // Two runners from t=0; jobs at 0 and 2 start at 60, the one at 100 waits for a replacement created at 180 (ready 240).
        var entry = BaselineCatalog.For([Job(0), Job(2), Job(100)]).Single(e => e.Label.StartsWith("static-", StringComparison.Ordinal)) with
        {
            Tweak = p => p with { PolicySettings = new Dictionary<string, string> { [StaticPolicy.RunnersKey] = "2" }, IdleTimeout = TimeSpan.Zero },
        };

        var result = Run(entry, Job(0), Job(2), Job(100));

        Assert.Equal(140, result.WaitMaxSeconds, 6);
        Assert.Equal(2, result.RunnersLeft);
        Assert.True(result.PeakRunners <= 2);
    }

    [Fact]
    public void Static_SeveralPools_EachSizedOnItsOwnJobs()
    {
        // Label set 0: three overlapping jobs; label set 1: one job. The whole trace's p95 would give both pools 4.
        SimulatedJob[] jobs = [new(0, 600, 0), new(1, 600, 0), new(2, 600, 0), new(3, 600, 1)];
        IReadOnlyList<IReadOnlyList<string>> labelSets = [["linux"], ["gpu"]];
        var entry = BaselineCatalog.For(jobs, labelSets).Single(e => e.Label.StartsWith("static-", StringComparison.Ordinal));

        var linux = entry.Tweak(Drover.Simulation.Baselines.BaselineCatalog.SinglePoolFleet(10, "linux").Pools[0]);
        var gpu = entry.Tweak(Drover.Simulation.Baselines.BaselineCatalog.SinglePoolFleet(10, "gpu").Pools[0]);

        Assert.Equal("static-p95", entry.Label);
        Assert.Equal("3", linux.PolicySettings[StaticPolicy.RunnersKey]);
        Assert.Equal("1", gpu.PolicySettings[StaticPolicy.RunnersKey]);
    }

    [Fact]
    public void Catalog_All_HasEveryVariantWithValidSettings()
    {
        var labels = BaselineCatalog.For([Job(0, 60), Job(10, 60)]).Select(e => e.Label).ToList();

        Assert.Equal(
            ["arc-scale-set-min-0", "arc-scale-set-min-5", "arc-webhook", "garm-minidle-0", "garm-minidle-5", "philips", "philips-pool-5", "gitlab-taskscaler", "static-2", "reactive", "idle-pool"],
            labels);
    }

    [Fact]
    public void ValidateSettings_UnknownAndMalformedKeys_AreAllReported()
    {
        var errors = new GarmPolicy().ValidateSettings(new Dictionary<string, string> { ["loopSeconds"] = "0", ["bogus"] = "1" });

        Assert.Equal(2, errors.Count);
        Assert.Single(new StaticPolicy().ValidateSettings(new Dictionary<string, string>()));
    }
}
