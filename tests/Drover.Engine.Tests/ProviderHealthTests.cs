using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Engine.Tests;

/// <summary>A provider's breaker counts runners that never came up, and closes on runners that registered.</summary>
public sealed class ProviderHealthTests
{
    private static async Task<CircuitBreakerState> BreakerAsync(LoopHarness h) =>
        (await h.Store.LoadPlanningStateAsync(DateTimeOffset.MinValue, CancellationToken.None)).Observed.Breakers.GetValueOrDefault("fake") ?? CircuitBreakerState.Closed;

    private static async Task<IReadOnlyList<Runner>> BootingAsync(LoopHarness h) =>
        [.. (await h.Store.ListRunnersAsync("linux", null, CancellationToken.None)).Where(r => r.IsBooting)];

    /// <summary>Five runners are created; every instance then disappears before its runner registers; one more cycle.</summary>
    private static async Task<Core.Planning.Plan> FiveInstancesVanishAsync(LoopHarness h)
    {
        for (var i = 0; i < 5; i++)
        {
            h.Queue();
        }

        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(5, h.Provider.CreateCalls);
        Assert.Equal(CircuitBreakerState.Closed, await BreakerAsync(h));
        foreach (var instance in h.Provider.Instances.ToList())
        {
            await h.Provider.DeleteAsync(instance.InstanceId, CancellationToken.None);
        }

        h.Time.Advance(TimeSpan.FromSeconds(20));
        return await h.Loop.RunCycleAsync(CancellationToken.None);
    }

    [Fact]
    public async Task InstancesThatNeverBecomeRunners_OpenTheBreaker_AcceptedCreatesDoNotCountAsSuccess()
    {
        await using var h = await LoopHarness.CreateAsync();

        var plan = await FiveInstancesVanishAsync(h);

        var breaker = await BreakerAsync(h);
        Assert.Equal(BreakerStatus.Open, breaker.Status);
        Assert.Equal(5, breaker.ConsecutiveFailures);
        Assert.Equal(5, h.Provider.CreateCalls);
        Assert.Contains(plan.Pools.Single().Notes, n => n.Contains("circuit open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HalfOpen_OneProbeAtATime_ClosesOnlyWhenProbesRegister()
    {
        await using var h = await LoopHarness.CreateAsync();
        await FiveInstancesVanishAsync(h);
        Assert.Equal(BreakerStatus.Open, (await BreakerAsync(h)).Status);

        // Past the cool-down: one probe, and no second while it boots, however often the loop runs.
        h.Time.Advance(TimeSpan.FromSeconds(61));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(6, h.Provider.CreateCalls);
        var probe = Assert.Single(await BootingAsync(h));
        Assert.Equal(BreakerStatus.Open, (await BreakerAsync(h)).Status);

        // The probe registers: one success of two; the next probe follows.
        h.Forge.Register(probe.Id);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(1, (await BreakerAsync(h)).HalfOpenSuccesses);
        Assert.Equal(7, h.Provider.CreateCalls);

        h.Forge.Register(Assert.Single(await BootingAsync(h)).Id);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(CircuitBreakerState.Closed, await BreakerAsync(h));
        Assert.True(h.Provider.CreateCalls > 7, "a closed breaker lets the rest of the demand through");
    }

    [Fact]
    public async Task BootTimeout_CountsAgainstTheProvider()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);

        // Provisioning's default timeout is 10 minutes; the instance stays listed but never registers.
        h.Time.Advance(TimeSpan.FromMinutes(11));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(1, (await BreakerAsync(h)).ConsecutiveFailures);
        var events = await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Contains(events, e => e.Kind == "runner.delete.intent" && e.Message.Contains("timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstanceReportedFailed_FailsItsRunnerAtOnceWithTheReason_AndIsReplaced()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var instance = Assert.Single(h.Provider.Instances);
        h.Provider.Fail(instance.InstanceId, "ErrImagePull: image ghcr.io/acme/runner:nope not found");

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        var runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        var failed = Assert.Single(runners, r => r.InstanceId == instance.InstanceId);
        Assert.NotEqual(RunnerState.Provisioning, failed.State);
        var history = await h.Store.GetRunnerHistoryAsync(failed.Id, CancellationToken.None);
        Assert.Contains(history, t => t.To == RunnerState.Failed && t.Reason.Contains("ErrImagePull: image ghcr.io/acme/runner:nope not found", StringComparison.Ordinal));
        Assert.Equal(1, (await BreakerAsync(h)).ConsecutiveFailures);
        Assert.Equal(2, h.Provider.CreateCalls);
    }
}
