using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Cost;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Simulation.Demo;
using Drover.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Server.Tests;

/// <summary>
/// What the end-to-end tests in the simulated world on a fake clock share: a SQLite store in a temporary folder, the
/// clock, the engine's metrics, and the production control loop over a demo world (no jobs of its own; runners boot
/// in 5–10 s) built from a fleet file.
/// </summary>
public abstract class FakeClockWorldTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-world-").FullName;

    /// <summary>The clock the world and the loop run on.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    /// <summary>The engine's metrics.</summary>
    protected EngineMetrics Metrics { get; } = new();

    /// <summary>The state store.</summary>
    protected IStateStore Store { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync() =>
        Store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(_directory, "state.db"), CancellationToken.None);

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        Metrics.Dispose();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing.
        }
    }

    /// <summary>The fleet of <paramref name="yaml"/>, valid (a test's own fleet: any error fails the test at once).</summary>
    protected static FleetConfig Fleet(string yaml, string file)
    {
        var loaded = new FleetConfigLoader(FleetConfigValidationOptions.ForPolicies(PolicyRegistry.CreateDefault().Policies)).LoadFromString(yaml, file);
        return loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
    }

    /// <summary>The demo world of <paramref name="config"/> with no jobs of its own, and the vault its runners' credentials go through.</summary>
    protected (DemoWorld World, RunnerCredentialVault Vault) World(FleetConfig config)
    {
        var world = new DemoWorld(config, DemoOptions.Default with { JobsPerHour = 0, BootMin = TimeSpan.FromSeconds(5), BootMax = TimeSpan.FromSeconds(10) }, Time);
        var vault = new RunnerCredentialVault();
        world.Attach(vault);
        return (world, vault);
    }

    /// <summary>A started control loop over <paramref name="world"/> (no call retries, forge lists never reused stale).</summary>
    protected async Task<ControlLoop> StartLoopAsync(FleetConfig config, DemoWorld world, RunnerCredentialVault vault, int seed, TimeSpan? costInterval = null, IBudgetNotifier? notifier = null)
    {
        var options = new ControlLoopOptions
        {
            Calls = new CallResilienceOptions { MaxRetryAttempts = 0 },
            ForgeListStaleLimit = TimeSpan.Zero,
        };
        if (costInterval is { } interval)
        {
            options = options with { CostInterval = interval };
        }

        var loop = new ControlLoop(config, Store, new EngineAdapters(world.Providers, world.Forges), Time, NullLogger.Instance, Metrics, options, new Random(seed), vault, notifier: notifier);
        await loop.StartAsync(CancellationToken.None);
        return loop;
    }
}
