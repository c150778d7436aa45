using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;

namespace Drover.Simulation.Demo;

/// <summary>
/// The simulated world of <c>drover serve</c>'s demo: one <see cref="DemoForge"/> per configured forge and one
/// <see cref="DemoProvider"/> per configured provider, advanced together on the injected clock. Job events go to
/// the sink given to <see cref="RunAsync"/> (the control loop's ingest).
/// </summary>
public sealed class DemoWorld : IDemandSource
{
    private readonly FleetConfig _config;
    private readonly DemoOptions _options;
    private readonly Random _random;
    private readonly Dictionary<string, DemoForge> _forges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DemoProvider> _providers = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastTick;

    /// <param name="config">The fleet; every provider must be of type <c>simulated</c>.</param>
    /// <param name="options">Speed-up, boot times, load.</param>
    /// <param name="time">The clock the world advances on.</param>
    /// <exception cref="ArgumentException">A provider is not of type <c>simulated</c>.</exception>
    public DemoWorld(FleetConfig config, DemoOptions options, TimeProvider time)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        Time = time ?? throw new ArgumentNullException(nameof(time));
        _random = new Random(options.Seed);
        var notSimulated = config.Providers.Where(p => p.Type != "simulated").Select(p => $"'{p.Name}' ({p.Type})").ToList();
        if (notSimulated.Count > 0)
        {
            throw new ArgumentException($"the simulated world runs only providers of type 'simulated'; not: {string.Join(", ", notSimulated)}", nameof(config));
        }

        var start = time.GetUtcNow();
        foreach (var forge in config.Forges)
        {
            _forges[forge.Name] = new DemoForge(this, forge, config, options, start);
        }

        foreach (var provider in config.Providers)
        {
            _providers[provider.Name] = new DemoProvider(this, provider.Name);
        }
    }

    /// <summary>The simulated forges, as the engine's ports.</summary>
    public IReadOnlyList<IForge> Forges => [.. _forges.Values];

    /// <summary>The simulated providers, as the engine's ports.</summary>
    public IReadOnlyList<IProvider> Providers => [.. _providers.Values];

    internal Lock Sync { get; } = new();

    internal TimeProvider Time { get; }

    internal RunnerCredentialVault? Vault { get; private set; }

    /// <summary>Gives the providers the vault their credential references resolve in.</summary>
    public void Attach(RunnerCredentialVault vault) => Vault = vault ?? throw new ArgumentNullException(nameof(vault));

    /// <summary>Advances the world every <see cref="DemoOptions.Tick"/> until cancelled, sending job events to <paramref name="sink"/>.</summary>
    public async Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var e in Tick())
            {
                sink(e);
            }

            try
            {
                await Task.Delay(_options.Tick, Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Advances the world to now once; returns the job events that happened.</summary>
    public IReadOnlyList<JobEvent> Tick()
    {
        var events = new List<JobEvent>();
        lock (Sync)
        {
            var now = Time.GetUtcNow();
            var elapsed = _lastTick is { } last && now > last ? now - last : TimeSpan.Zero;
            _lastTick = now;
            foreach (var provider in _providers.Values)
            {
                provider.Tick(now, elapsed, _options.SpotInterruptionRate);
            }

            foreach (var forge in _forges.Values)
            {
                forge.Tick(now, events);
            }
        }

        return events;
    }

    /// <summary>
    /// A spot interruption of <paramref name="instanceId"/> now (a fault a test or demo injects): the instance is reclaimed
    /// under its job, the forge fails the job at its next tick. False when no provider has that instance.
    /// </summary>
    public bool Interrupt(string instanceId)
    {
        lock (Sync)
        {
            return _providers.Values.Any(p => p.Interrupt(instanceId));
        }
    }

    /// <summary>
    /// Queues a job on forge <paramref name="forge"/> now, besides the replayed load (a test or demo drives demand this
    /// way): asking for <paramref name="labels"/> (GitHub labels or GitLab tags), running <paramref name="duration"/>
    /// once a runner takes it, in repository or project <paramref name="scope"/> (the forge's first pool's scope + /app
    /// when null). Reported queued at the next <see cref="Tick"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No forge of that name.</exception>
    public JobKey Submit(string forge, IReadOnlyList<string> labels, TimeSpan duration, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        lock (Sync)
        {
            return _forges.TryGetValue(forge, out var demo)
                ? demo.Submit(labels, duration, scope, Time.GetUtcNow())
                : throw new ArgumentException($"no forge named '{forge}' in the simulated world", nameof(forge));
        }
    }

    internal double NextDouble() => _random.NextDouble();

    internal bool IsBusy(string pool, string runnerName) => ForgeOf(pool)?.IsBusy(runnerName) == true;

    internal void InstanceInterrupted(string pool, string runnerName) => ForgeOf(pool)?.RunnerLost(runnerName, Time.GetUtcNow());

    internal byte[] NextBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    internal TimeSpan BootTime() =>
        _options.BootMin + ((_options.BootMax - _options.BootMin) * _random.NextDouble());

    internal bool RegisterRunner(string pool, string runnerName, RunnerCredential credential, DateTimeOffset now) =>
        ForgeOf(pool) is { } forge && forge.Register(runnerName, credential, now);

    internal void InstanceStopped(string pool, string runnerName) => ForgeOf(pool)?.InstanceStopped(runnerName, Time.GetUtcNow());

    internal void RunnerExited(string runnerName, DateTimeOffset now)
    {
        _ = now;
        foreach (var provider in _providers.Values)
        {
            provider.RunnerExited(runnerName);
        }
    }

    private DemoForge? ForgeOf(string pool) =>
        _config.FindPool(pool) is { } config && _forges.TryGetValue(config.Forge, out var forge) ? forge : null;
}
