using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Tests.Fakes;

namespace Drover.Engine.Tests;

/// <summary>A provider that says an instance ended wakes the loop at once, not at the next resync.</summary>
public sealed class InstanceChangeWakeTests
{
    [Fact]
    public async Task Run_ProviderReportsAnInstanceEnded_ACycleRunsWithoutWaitingForTheResync()
    {
        await using var h = await LoopHarness.CreateAsync();
        var provider = new SignallingProvider(h.Provider);
        var loop = new ControlLoop(
            h.Config, h.Store, new EngineAdapters([provider], [h.Forge]), h.Time, h.Logger, h.Metrics,
            new ControlLoopOptions { Calls = new CallResilienceOptions { MaxRetryAttempts = 0 }, ResyncInterval = TimeSpan.FromHours(1) });
        var cycles = 0;
        loop.CycleCompleted += _ => Interlocked.Increment(ref cycles);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);
        await Drover.Testing.Eventually.TrueAsync(() => Volatile.Read(ref cycles) == 1, "the first cycle ran", TimeSpan.FromSeconds(10));

        provider.Changed();

        // The fake clock never moves: only the provider's signal can start this cycle.
        await Drover.Testing.Eventually.TrueAsync(() => Volatile.Read(ref cycles) == 2, "a cycle ran on the provider's signal", TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await running;
    }

    private sealed class SignallingProvider(FakeProvider inner) : IProvider, IInstanceChangeSource
    {
        public event Action? InstancesChanged;

        public string Name => inner.Name;

        public void Changed() => InstancesChanged?.Invoke();

        public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => inner.CreateAsync(request, cancellationToken);

        public Task DeleteAsync(string instanceId, CancellationToken cancellationToken) => inner.DeleteAsync(instanceId, cancellationToken);

        public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
    }
}
