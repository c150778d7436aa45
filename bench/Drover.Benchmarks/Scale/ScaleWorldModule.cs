using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Simulation.Demo;

namespace Drover.Benchmarks.Scale;

/// <summary>
/// The <c>simulated</c> provider module as <c>drover serve</c> runs it, except that it keeps the world it builds so the
/// benchmark can submit jobs to it (<see cref="DemoWorld.Submit"/>) instead of replaying the demo's own trace.
/// </summary>
internal sealed class ScaleWorldModule : IWorldModule
{
    private readonly SimulatedModule _inner;
    private readonly DemoOptions _options;

    public ScaleWorldModule(DemoOptions options)
    {
        _options = options;
        _inner = new SimulatedModule(options);
    }

    /// <summary>The world, once the server built it.</summary>
    public DemoWorld? World { get; private set; }

    public string Type => _inner.Type;

    public object BindSettings(ConfigSection settings) => _inner.BindSettings(settings);

    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings) => _inner.BindTemplate(template, legacySettings);

    public IProvider Create(ProviderConfig provider, AdapterContext context) => _inner.Create(provider, context);

    public EngineAdapters BuildWorld(AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var world = new DemoWorld(context.Fleet, _options, context.Time);
        world.Attach(context.Vault);
        World = world;
        return new EngineAdapters(world.Providers, world.Forges, [world]);
    }
}
