using Drover.Core.Cost;
using Drover.Core.Planning;
using Drover.Core.Runners;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Tests.Engine;

public class SimulatedProviderTests
{
    private static (SimulatedProvider Provider, EventQueue Queue) Make(PriceConfig? price = null)
    {
        var queue = new EventQueue();
        var options = SimulationOptions.Default;
        var metrics = new MetricsRecorder(0, TimeSpan.TicksPerHour);
        var fleet = BaselineCatalog.SinglePoolFleet();
        fleet = fleet with { Providers = [.. fleet.Providers.Select(p => p with { Price = price })], Pools = [.. fleet.Pools.Select(p => p with { Team = "web" })] };
        var provider = new SimulatedProvider(fleet, queue, new Random(1), options, metrics, new VirtualTime(options.Start));
        return (provider, queue);
    }

    [Fact]
    public void Bill_PerMinutePrice_ChargesEachStartedMinuteOfBootingIdleAndBusyTimeToPoolAndTeam()
    {
        var (provider, queue) = Make(new PriceConfig { OnDemand = new RateCard { PerHour = 0.60m }, Billing = BillingGranularity.PerMinute, Currency = "EUR" });
        provider.Create(new CreateRunner("default", "sim", "drover-default-0", 0, 0, "test"), 0);
        queue.TryDequeue(out var boot, out var at);
        provider.CompleteBoot(boot.Runner!, at);

        // 60 s booting, then 30 s idle, 61 s busy: 151 s, billed as 3 started minutes at 0.01 a minute.
        provider.Move(boot.Runner!, RunnerState.Busy, at + TimeSpan.FromSeconds(30).Ticks);
        provider.Delete(boot.Runner!.Record.Id, at + TimeSpan.FromSeconds(91).Ticks);
        provider.Finish(at + TimeSpan.FromSeconds(500).Ticks);

        Assert.Equal(0.03m, provider.OnDemandCost);
        Assert.Equal(0m, provider.SpotCost);
        Assert.Equal(0.03, provider.CostByPool()["default"], 9);
        Assert.Equal(0.03, provider.CostByTeam()["web"], 9);
        Assert.Equal("EUR", provider.Currency);
        Assert.True(provider.IdleCost > 0m);
    }

    [Fact]
    public void Finish_RunnerStillIdle_ChargesItsTimeUpToTheEnd()
    {
        var (provider, queue) = Make(new PriceConfig { OnDemand = new RateCard { PerHour = 3.6m } });
        provider.Create(new CreateRunner("default", "sim", "drover-default-0", 0, 0, "test"), 0);
        queue.TryDequeue(out var boot, out var at);
        provider.CompleteBoot(boot.Runner!, at);

        provider.Finish(at + TimeSpan.FromSeconds(40).Ticks);

        // 100 s at 0.001 a second, of which 40 s idle.
        Assert.Equal(0.1m, provider.OnDemandCost);
        Assert.Equal(0.04m, provider.IdleCost);
    }

    [Fact]
    public void Create_ThenBoot_RegistersIdleThroughTheLifecycle()
    {
        var (provider, queue) = Make();
        provider.Create(new CreateRunner("default", "sim", "drover-default-0", 0, 0, "test"), 0);

        Assert.True(queue.TryDequeue(out var boot, out var at));
        Assert.Equal(TimeSpan.FromSeconds(60).Ticks, at);
        Assert.True(provider.CompleteBoot(boot.Runner!, at));
        Assert.Equal(RunnerState.Idle, boot.Runner!.Record.State);
    }

    [Fact]
    public void Move_IllegalTransition_Throws()
    {
        var (provider, queue) = Make();
        provider.Create(new CreateRunner("default", "sim", "drover-default-0", 0, 0, "test"), 0);
        queue.TryDequeue(out var boot, out _);

        var error = Assert.Throws<InvalidOperationException>(() => provider.Move(boot.Runner!, RunnerState.Idle, 10));

        Assert.Contains("illegal transition Provisioning -> Idle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_StopsBillingAtOnce()
    {
        var (provider, _) = Make();
        provider.Create(new CreateRunner("default", "sim", "drover-default-0", 0, 0, "test"), 0);

        var (runner, job) = provider.Delete("drover-default-0", 5);

        Assert.Equal(RunnerState.Gone, runner!.Record.State);
        Assert.Equal(-1, job);
        Assert.Equal(0, provider.LiveCount);
    }
}
