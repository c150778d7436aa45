using Drover.Core.Planning;
using Drover.Core.Runners;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Tests.Engine;

public class SimulatedProviderTests
{
    private static (SimulatedProvider Provider, EventQueue Queue) Make()
    {
        var queue = new EventQueue();
        var options = SimulationOptions.Default;
        var metrics = new MetricsRecorder(0, TimeSpan.TicksPerHour);
        var provider = new SimulatedProvider(BaselineCatalog.SinglePoolFleet().Pools, queue, new Random(1), options, metrics, new VirtualTime(options.Start));
        return (provider, queue);
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
