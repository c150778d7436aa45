using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Engine.Tests.Fakes;
using Drover.Storage;
using Microsoft.Extensions.Time.Testing;

using Drover.Testing;

namespace Drover.Engine.Tests;

/// <summary>A control loop over fakes, a temporary SQLite store and a fake clock.</summary>
public sealed class LoopHarness : IAsyncDisposable
{
    public const string Fleet = """
        controllerId: t
        forges:
          - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:T" } }
        providers:
          - { name: fake, type: simulated PROVIDER }
        pools:
          - name: linux
            forge: github
            scope: { org: acme }
            labels: [linux]
            provider: fake
            max: 10
            idle: IDLE
            idleTimeout: 1m
            POOL
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("drover-engine-").FullName;
    private int _jobs;

    private LoopHarness()
    {
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public FakeProvider Provider { get; private set; } = null!;

    public FakeForge Forge { get; private set; } = null!;

    public IStateStore Store { get; private set; } = null!;

    public FleetConfig Config { get; private set; } = null!;

    public ListLogger Logger { get; } = new();

    public EngineMetrics Metrics { get; } = new();

    public ControlLoop Loop { get; private set; } = null!;

    /// <summary>The forge adapter the loop is given: <see cref="Forge"/>, or what <c>wrapForge</c> made of it.</summary>
    public IForge ForgeAdapter { get; private set; } = null!;

    /// <summary>The loop's settings (retries off, forge lists never reused stale).</summary>
    public ControlLoopOptions Options { get; private set; } = null!;

    /// <param name="idle">The pool's idle count.</param>
    /// <param name="wrapForge">Builds the forge adapter around the fake forge (e.g. one that takes webhooks).</param>
    /// <param name="options">Changes to the loop's settings.</param>
    /// <param name="provider">More keys of the provider entry, e.g. <c>", maxConcurrentCreates: 2"</c>.</param>
    /// <param name="pool">One more line of the pool, e.g. <c>"lostJobReruns: 1"</c>.</param>
    public static async Task<LoopHarness> CreateAsync(int idle = 0, Func<FakeForge, IForge>? wrapForge = null, Func<ControlLoopOptions, ControlLoopOptions>? options = null, string provider = "", string pool = "")
    {
        var harness = new LoopHarness();
        var defaults = new ControlLoopOptions { Calls = new CallResilienceOptions { MaxRetryAttempts = 0 }, ForgeListStaleLimit = TimeSpan.Zero };
        harness.Options = options is null ? defaults : options(defaults);
        var loaded = new FleetConfigLoader(FleetConfigValidationOptions.ForPolicies(PolicyRegistry.CreateDefault().Policies))
            .LoadFromString(Fleet.Replace("IDLE", idle.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace(" PROVIDER", provider, StringComparison.Ordinal).Replace("POOL", pool, StringComparison.Ordinal), "test.yaml");
        harness.Config = loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        harness.Provider = new FakeProvider("fake", harness.Time);
        harness.Forge = new FakeForge("github", harness.Time);
        harness.ForgeAdapter = wrapForge is null ? harness.Forge : wrapForge(harness.Forge);
        harness.Store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(harness._directory, "state.db"), CancellationToken.None);
        harness.Loop = harness.NewLoop();
        return harness;
    }

    /// <summary>A fresh loop over the same store and fakes (a restarted process).</summary>
    public ControlLoop NewLoop() =>
        new(Config, Store, new EngineAdapters([Provider], [ForgeAdapter]), Time, Logger, Metrics, Options);

    public JobKey Queue(params string[] labels)
    {
        var key = new JobKey("github", $"job-{++_jobs}");
        Loop.Ingest(new JobEvent { Key = key, Kind = JobEventKind.Queued, At = Time.GetUtcNow(), Labels = labels.Length == 0 ? ["linux"] : labels, Scope = "acme/app" });
        return key;
    }

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing; the temp directory is left behind.
        }
    }
}
