using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Forges.GitHub.ScaleSets;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Storage;
using Drover.Testing;
using Drover.Testing.GitHub;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Forges.GitHub.Tests.ScaleSets;

/// <summary>
/// A GitHub forge with scale-set pools of organisation <c>acme</c> against the emulator, with a SQLite store: start
/// its listeners as a leader's term would (<see cref="StartTerm"/>), end the term (<see cref="EndTermAsync"/>), or
/// start a second forge on the same store as a new leader would.
/// </summary>
internal sealed class ScaleSetHarness : IAsyncDisposable
{
    public static readonly PoolScope Org = new(ScopeKind.Organization, "acme");
    private readonly TempDirectory _directory = new("drover-scaleset-");
    private CancellationTokenSource? _term;
    private Task? _running;

    private ScaleSetHarness(GitHubEmulator emulator)
    {
        Emulator = emulator;
    }

    public GitHubEmulator Emulator { get; }

    public IStateStore Store { get; private set; } = null!;

    public GitHubForge Forge { get; private set; } = null!;

    public FleetConfig Fleet { get; private set; } = null!;

    /// <summary>Every event the listeners handed to the ledger, in order.</summary>
    public ConcurrentQueue<JobEvent> Events { get; } = new();

    public static PoolConfig Pool(string name, IReadOnlyList<string> labels, string? scaleSet = null, string runnerGroup = "default", int max = 20) =>
        TestForges.Pool(name, Org, [scaleSet ?? name, .. labels]) with
        {
            Max = max,
            ForgeSettings = new GitHubPoolSettings(1) { ScaleSet = new ScaleSetSettings(scaleSet, runnerGroup, false) },
        };

    public static async Task<ScaleSetHarness> StartAsync(GitHubEmulatorOptions? options = null, params PoolConfig[] pools)
    {
        var emulator = await GitHubEmulator.StartAsync((options ?? new GitHubEmulatorOptions()) with { Tokens = [TestForges.Token], ScaleSetPollWindow = options?.ScaleSetPollWindow ?? TimeSpan.FromMilliseconds(300) });
        var harness = new ScaleSetHarness(emulator);
        harness.Store = await SqliteStateStore.OpenAsync(Path.Combine(harness._directory.Path, "state.db"), CancellationToken.None);
        harness.Fleet = TestForges.Fleet(TestForges.Forge(emulator.ApiUrl, withSecret: false), pools.Length > 0 ? pools : [Pool("linux", ["linux"], "linux-set")]);
        harness.Forge = harness.NewForge("replica-a");
        return harness;
    }

    /// <summary>A forge as a replica builds it at start-up, on the shared store.</summary>
    public GitHubForge NewForge(string owner)
    {
        var context = new AdapterContext(Fleet, new RunnerCredentialVault(), TimeProvider.System, NullLoggerFactory.Instance) { Store = Store };
        return GitHubForgeFactory.Create(Fleet.Forges[0], context, GitHubForgeOptions.Default with
        {
            Environment = name => TestForges.Environment.GetValueOrDefault(name),
            ScaleSetOwner = owner,
            ScaleSetConflictRetry = TimeSpan.FromMilliseconds(200),
            Random = new Random(5),
        });
    }

    public ScaleSetListener Listener(string pool = "linux") => Forge.ScaleSetListeners.Single(l => l.Pool == pool);

    public void StartTerm()
    {
        _term = new CancellationTokenSource();
        _running = Forge.RunAsync(Events.Enqueue, _term.Token);
    }

    /// <summary>Ends the term as a leader's shutdown or loss of the lease does.</summary>
    public async Task EndTermAsync()
    {
        if (_term is null || _running is null)
        {
            return;
        }

        await _term.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(20));
        _term.Dispose();
        _term = null;
    }

    /// <summary>Replaces the forge with a new one (a new leader) on the same store.</summary>
    public void ReplaceForge(string owner)
    {
        Forge.Dispose();
        Forge = NewForge(owner);
    }

    public async Task<EmulatedScaleSet> ListeningAsync(string pool = "linux") =>
        await Eventually.ThatAsync(
            () => (Listener: Listener(pool), Set: Emulator.ScaleSets().FirstOrDefault(s => s.Session is not null && s.Id == Listener(pool).ScaleSetId)),
            x => x.Listener.Listening && x.Set is not null,
            $"the listener of pool {pool} holding its session",
            x => x.Listener.State) is var (_, set) ? set! : throw new InvalidOperationException();

    /// <summary>Starts a runner from a JIT config over the emulator's runner protocol and lets it take a job; returns its id and secret.</summary>
    public async Task<(long RunnerId, string Secret, long? JobId)> RunnerTakesJobAsync(RunnerCredential jit)
    {
        var config = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(jit.Reveal())))!;
        var id = config["runner_id"]!.GetValue<long>();
        var secret = config["secret"]!.GetValue<string>();
        using var http = new HttpClient { BaseAddress = Emulator.RootUrl };
        (await http.PostAsJsonAsync("/_emulator/runner/session", new { runner_id = id, secret })).EnsureSuccessStatusCode();
        using var acquired = await http.PostAsJsonAsync("/_emulator/runner/acquire", new { runner_id = id, secret });
        long? job = acquired.StatusCode == System.Net.HttpStatusCode.OK ? (await acquired.Content.ReadFromJsonAsync<JsonObject>())!["job_id"]!.GetValue<long>() : null;
        return (id, secret, job);
    }

    public async Task CompleteAsync(long runnerId, string secret, long jobId)
    {
        using var http = new HttpClient { BaseAddress = Emulator.RootUrl };
        (await http.PostAsJsonAsync("/_emulator/runner/complete", new { runner_id = runnerId, secret, job_id = jobId })).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await EndTermAsync();
        Forge.Dispose();
        await Store.DisposeAsync();
        await Emulator.DisposeAsync();
        _directory.Dispose();
    }
}
