using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Postgres;
using Drover.Testing.Serve;

namespace Drover.Chaos.Tests;

/// <summary>
/// One chaos run: a real <c>drover serve</c> process (SQLite store; the <c>process</c> provider starting stand-in runner
/// processes, or the <c>kubernetes</c> provider against the Kubernetes emulator with seeded API faults, whose kubelet runs
/// the stand-in runner: <see cref="IChaosProvider"/>) against the GitHub emulator with seeded forge faults and webhook
/// loss, duplication and reordering. A burst of
/// jobs is queued while the server is killed (SIGKILL) or stopped (SIGTERM) at seeded points and started again on the
/// same store; then the run waits for the burst to settle and the grace window to pass, and checks the world against
/// the invariants (<see cref="ChaosInvariants"/>).
/// </summary>
internal sealed class ChaosRun : IAsyncDisposable
{
    private const string Token = "ghp_chaos";
    private const string Secret = "chaos-webhook-secret";
    private const string Repository = "acme/api";

    /// <summary>What a kill point does.</summary>
    private enum StopKind
    {
        /// <summary>SIGKILL the server.</summary>
        Kill,

        /// <summary>SIGTERM the server.</summary>
        Term,

        /// <summary>Restart PostgreSQL (immediate stop).</summary>
        Postgres,
    }

    /// <summary>A phase of the burst a kill point aims at.</summary>
    private enum BurstPhase
    {
        /// <summary>Jobs queued, no runner minted yet.</summary>
        Queued,

        /// <summary>A runner minted at the forge whose process has not come online.</summary>
        Booting,

        /// <summary>A runner process online without a job.</summary>
        Idle,

        /// <summary>A job running.</summary>
        Busy,

        /// <summary>A job just finished: its runner exiting and being deleted.</summary>
        Finishing,
    }
    private readonly ChaosOptions _options;
    private readonly Action<string> _log;
    private readonly TempDirectory _directory = new("drover-chaos-");
    private readonly string _apiToken = "chaos_" + Guid.NewGuid().ToString("N");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Random _random;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private GitHubEmulator _emulator = null!;
    private IChaosProvider _provider = null!;
    private ServeProcess? _serve;
    private readonly List<ServeProcess> _others = [];
    private PostgresServer? _postgres;
    private string _store = string.Empty;
    private int _starts;
    private long _lastEventSeen;

    /// <summary><c>runner.delete.succeeded</c> events seen while the run goes on, with when they were seen, not yet checked against /proc.</summary>
    private readonly List<(string Runner, TimeSpan Seen, string Message)> _deletesToCheck = [];

    public ChaosRun(ChaosOptions options, Action<string> log)
    {
        _options = options;
        _log = log;
        _random = new Random(options.Seed);

        // A word on every runner's command line, found in /proc whoever started the process; not in any path Drover is given.
        Marker = $"chaos-marker-{options.Seed}-{Guid.NewGuid():N}"[..40];
    }

    /// <summary>The word on every stand-in runner's command line in this run.</summary>
    public string Marker { get; }

    /// <summary>Runs the burst and the kill points, waits for the run to settle, checks the invariants.</summary>
    public async Task<ChaosReport> RunAsync()
    {
        var report = new ChaosReport { Seed = _options.Seed, Marker = Marker };
        _emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = _options.Seed });
        _provider = _options.Provider == ChaosProviderKind.Kubernetes
            ? await KubernetesChaosProvider.StartAsync(_options, _directory)
            : new ProcessChaosProvider(Marker, _emulator, _directory);
        report.Noun = _provider.Noun;
        report.Nouns = _provider.Nouns;
        _emulator.AddRepository(Repository);
        _emulator.Faults.Seed(_options.Seed);
        _emulator.Faults.Rate = _options.ForgeFaultRate;
        _emulator.Faults.HangFor = _options.HangFor;
        _emulator.Faults.Kinds = _options.ForgeFaults;
        _emulator.Faults.OnlyPathsContaining = _options.ForgeFaultPaths;
        _emulator.Webhooks.Secret = Secret;
        _emulator.Webhooks.DropRate = _options.WebhookLoss;
        _emulator.Webhooks.DuplicateRate = _options.WebhookDuplication;
        _emulator.Webhooks.ReorderRate = _options.WebhookReordering;
        await File.WriteAllTextAsync(_directory.File("fleet.yaml"), FleetYaml());
        if (_options.Postgres)
        {
            _postgres = new PostgresServer();
            await _postgres.InitializeAsync();
            _store = "postgres:" + await _postgres.CreateDatabaseAsync();
        }
        else
        {
            _store = "sqlite:" + _directory.File("state.db");
        }

        await StartServeAsync(report);
        for (var i = 1; i < _options.Replicas; i++)
        {
            // The other replicas of an HA install: they store webhooks, answer the API and take over the lease.
            _others.Add(await ServeProcess.StartAsync(ServeArguments(i), ServeEnvironment(), _directory.File($"serve-{i}.log"), TimeSpan.FromSeconds(60)));
        }
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.Run(() => WatchDeletesAsync(report, stopWatching.Token));

        // The burst, drawn from the seed: when each job is queued and how long it runs, fed on its own while the
        // server is killed and restarted.
        var burst = _options.BurstLength.TotalMilliseconds;
        var jobs = Enumerable.Range(0, _options.Jobs)
            .Select(i => (At: _random.NextDouble() * burst, Name: $"job-{i}", Duration: TimeSpan.FromMilliseconds(300 + _random.Next(2700))))
            .OrderBy(j => j.At).ToList();
        var unmatchableAt = _random.Next(jobs.Count);
        var feeding = Task.Run(async () =>
        {
            var started = _clock.Elapsed;
            for (var i = 0; i < jobs.Count; i++)
            {
                var wait = TimeSpan.FromMilliseconds(jobs[i].At) - (_clock.Elapsed - started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                if (i == unmatchableAt)
                {
                    report.UnmatchableJob = _emulator.QueueRun(Repository, ("windows", ["self-hosted", "windows"], TimeSpan.FromSeconds(1))).Single();
                }

                var id = _emulator.QueueRun(Repository, (jobs[i].Name, ["self-hosted", "linux"], jobs[i].Duration)).Single();
                lock (report.Jobs)
                {
                    report.Jobs.Add(id);
                }
            }
        });

        // The kill points, drawn from the seed: the phase of the burst each one waits for (taken in turn from a seeded
        // start, so a long run hits every phase), a seeded moment inside it, the signal and how long the server stays down.
        var phases = Enum.GetValues<BurstPhase>();
        var drawn = _random.Next(phases.Length);
        var firstPhase = _options.FirstPhase ?? drawn;
        var kills = Enumerable.Range(0, _options.KillPoints)
            .Select(i => (Phase: phases[(firstPhase + i) % phases.Length], Delay: TimeSpan.FromMilliseconds(_random.Next(400)), Kind: _random.NextDouble() < _options.KillShare ? StopKind.Kill : StopKind.Term, Down: TimeSpan.FromMilliseconds(_random.Next(1500))))
            .ToList();
        if (kills.Count >= 2 && kills.All(k => k.Kind == kills[0].Kind))
        {
            // Both signals in every run of two or more points.
            kills[^1] = kills[^1] with { Kind = kills[0].Kind == StopKind.Kill ? StopKind.Term : StopKind.Kill };
        }

        // PostgreSQL restarts are kill points of their own, in the same phases, spread among the others.
        for (var i = 0; i < _options.PostgresRestarts; i++)
        {
            kills.Insert(_random.Next(kills.Count + 1), (phases[(firstPhase + _options.KillPoints + i) % phases.Length], TimeSpan.FromMilliseconds(_random.Next(400)), StopKind.Postgres, TimeSpan.FromMilliseconds(500 + _random.Next(2500))));
        }

        // Spot interruptions are spread among the kill points: after kill point k, for seeded k.
        var spots = Enumerable.Range(0, _options.SpotInterruptions).Select(_ => _random.Next(kills.Count + 1)).Order().ToList();
        for (var k = 0; k <= kills.Count; k++)
        {
            foreach (var _ in spots.Where(s => s == k))
            {
                await SpotInterruptionAsync(report, feeding);
            }

            if (k < kills.Count)
            {
                var kill = kills[k];
                var reached = await WaitForPhaseAsync(kill.Phase, feeding);
                await Task.Delay(kill.Delay);
                await KillPointAsync(report, kill.Kind, kill.Down, reached ? kill.Phase.ToString() : $"{kill.Phase} not reached");
            }
        }

        await feeding;
        report.BurstEndedAt = _clock.Elapsed;
        await SettleAsync(report);
        await stopWatching.CancelAsync();
        await watching;
        report.Events = await EventsAsync();
        await File.WriteAllLinesAsync(_directory.File("events.log"), report.Events.Select(e => $"{e.Id} {e.Kind} {e.Subject}: {e.Message}"));
        report.ApiLiveRunners = await LiveRunnersAsync();

        // The run ends with a clean stop; what a SIGTERM leaves behind is part of what is checked.
        var (exit, took) = await _serve!.TerminateAsync(_options.TermTimeout);
        report.Stops.Add(new ChaosReport.Stop("SIGTERM (end of run)", PhaseNow(), exit, took));
        _log($"end of run: SIGTERM, exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "none"} after {took.TotalSeconds:F2} s");
        for (var i = 0; i < _others.Count; i++)
        {
            var (otherExit, otherTook) = await _others[i].TerminateAsync(_options.TermTimeout);
            report.Stops.Add(new ChaosReport.Stop($"SIGTERM (end of run, replica {i + 1})", PhaseNow(), otherExit, otherTook));
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        report.World = World();
        report.FaultsInjected = _emulator.Faults.Injected.ToDictionary(f => f.Key.ToString(), f => f.Value, StringComparer.Ordinal);
        report.ProviderFaultsInjected = _provider.FaultsInjected;
        report.ProviderApiCalls = _provider.ApiCalls;
        await File.WriteAllLinesAsync(_directory.File("provider-api.log"), _provider.ApiRequests());
        report.Webhooks = (_emulator.Webhooks.Sent.Count, _emulator.Webhooks.Dropped, _emulator.Webhooks.Duplicated, _emulator.Webhooks.Reordered);
        report.Took = _clock.Elapsed;
        ChaosInvariants.Check(report, _options);
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        KeepLogs();
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }

        foreach (var other in _others)
        {
            await other.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        // Whatever the run left running is ended here, after it was counted, so runs do not leak into each other.
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        _http.Dispose();
        _directory.Dispose();
    }

    /// <summary>
    /// While the run goes on, reads the event log as it grows and checks every <c>runner.delete.succeeded</c> against
    /// the world: 2 s after the event was seen, no instance of that runner (a process in /proc, a pod) may be there (the
    /// event says the instance is gone). A lie is added to the report's <see cref="ChaosReport.DeleteLies"/>.
    /// </summary>
    private async Task WatchDeletesAsync(ChaosReport report, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_serve is { HasExited: false } serve)
                {
                    using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri(serve.Url, $"/api/v1/events?after={_lastEventSeen}&limit=1000"), stop));
                    foreach (var e in document.RootElement.GetProperty("events").EnumerateArray())
                    {
                        _lastEventSeen = Math.Max(_lastEventSeen, e.GetProperty("id").GetInt64());
                        if (e.GetProperty("kind").GetString() == "runner.delete.succeeded")
                        {
                            _deletesToCheck.Add((e.GetProperty("subject").GetString()!, _clock.Elapsed, e.GetProperty("message").GetString() ?? string.Empty));
                        }
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or ObjectDisposedException or NullReferenceException)
            {
                // The server is down or restarting; the events wait in the store.
            }

            var instances = _provider.Instances();
            foreach (var delete in _deletesToCheck.Where(d => _clock.Elapsed - d.Seen >= TimeSpan.FromSeconds(2)).ToList())
            {
                _deletesToCheck.Remove(delete);
                var alive = instances.Where(i => i.Runners.Contains(delete.Runner, StringComparer.Ordinal)).Select(i => i.What).ToList();
                if (alive.Count > 0)
                {
                    lock (report.DeleteLies)
                    {
                        report.DeleteLies.Add($"runner.delete.succeeded for {delete.Runner} (\"{delete.Message}\") at {delete.Seen.TotalSeconds:F0} s, but its {_provider.Noun} {string.Join(", ", alive)} was still there 2 s later");
                    }
                }
            }

            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A spot interruption: once a job runs, the instance of its runner is taken away under the job (a process SIGKILLed,
    /// a pod evicted). The job is recorded in <see cref="ChaosReport.Interrupted"/>.
    /// </summary>
    private async Task SpotInterruptionAsync(ChaosReport report, Task feeding)
    {
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(30);
        while (_clock.Elapsed < deadline)
        {
            var busy = _emulator.Runners().Where(r => r.JobId is not null).ToList();
            foreach (var runner in busy)
            {
                if (_provider.Interrupt(runner.Name) is { } done)
                {
                    // GitHub sees the runner gone: the job fails (a real one does so once the runner stops answering).
                    var job = runner.JobId!.Value;
                    report.Interrupted.Add((job, runner.Name));
                    _emulator.RunnerLost(runner.Id);
                    _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  spot interruption: runner {runner.Name} ({done}) under job {job}");
                    return;
                }
            }

            if (feeding.IsCompleted && _emulator.Jobs().All(j => j.Status != "in_progress" && !(j.Status == "queued" && j.Labels.Contains("linux"))))
            {
                break;
            }

            await Task.Delay(25);
        }

        _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  spot interruption skipped: no job ran within 30 s");
    }

    /// <summary>Kills (SIGKILL) or stops (SIGTERM) the server, keeps it down a moment, starts it again on the same store.</summary>
    private async Task KillPointAsync(ChaosReport report, StopKind kind, TimeSpan down, string aimed)
    {
        var phase = $"{aimed}: {PhaseNow()}";
        if (kind == StopKind.Postgres)
        {
            var restartStarted = Stopwatch.GetTimestamp();
            await _postgres!.RestartAsync(down);
            var took = Stopwatch.GetElapsedTime(restartStarted);
            report.Stops.Add(new ChaosReport.Stop("PostgreSQL restart", phase, null, took));
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  PostgreSQL restarted (immediate stop, {took.TotalSeconds:F1} s down) during {phase}");
            return;
        }

        if (kind == StopKind.Kill)
        {
            await _serve!.KillAsync();
            report.Stops.Add(new ChaosReport.Stop("SIGKILL", phase, null, TimeSpan.Zero));
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  SIGKILL during {phase}");
        }
        else
        {
            var (exit, took) = await _serve!.TerminateAsync(_options.TermTimeout);
            report.Stops.Add(new ChaosReport.Stop("SIGTERM", phase, exit, took));
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  SIGTERM during {phase}: exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "none"} after {took.TotalSeconds:F2} s");
        }

        await _serve.DisposeAsync();
        _serve = null;
        report.RunningRightAfterStops.Add(_provider.Running());
        await Task.Delay(down);
        await StartServeAsync(report, after: report.Stops[^1]);
    }

    private async Task StartServeAsync(ChaosReport report, ChaosReport.Stop? after = null)
    {
        _starts++;
        _serve = await ServeProcess.StartAsync(ServeArguments(0), ServeEnvironment(), _directory.File("serve.log"), TimeSpan.FromSeconds(60));
        _emulator.Webhooks.Target = new Uri(_serve.Url, "/webhooks/github/github");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _apiToken);

        if (_options.Replicas > 1)
        {
            // Another replica may lead; this one need not.
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  start {_starts}: pid {_serve.ProcessId}, {_serve.Url}");
            return;
        }

        // How long from listening until it leads (and so runs the control loop); bounded, and measured.
        var startedAt = Stopwatch.GetTimestamp();
        TimeSpan? lead = null;
        var deadline = Stopwatch.GetTimestamp() + (long)(TimeSpan.FromSeconds(40).TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (await RoleAsync() == "leader")
            {
                lead = Stopwatch.GetElapsedTime(startedAt);
                break;
            }

            await Task.Delay(100);
        }

        if (after is not null)
        {
            report.LeadAfterRestart.Add((after, lead));
        }

        _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  start {_starts}: pid {_serve.ProcessId}, {_serve.Url}, leads after {(lead is { } l ? $"{l.TotalSeconds:F1} s" : "more than 40 s")}");
    }

    /// <summary><c>drover serve</c>'s arguments for replica <paramref name="replica"/> (0: the one killed and restarted).</summary>
    private List<string> ServeArguments(int replica)
    {
        var arguments = new List<string>
        {
            "--config", _directory.File("fleet.yaml"),
            "--store", _store,
            "--urls", "http://127.0.0.1:0",
            "--api-token", "chaos:admin:env:CHAOS_API_TOKEN",
            "--backup-every", "0",
        };

        // A single replica gets no --replica-id: restarted on its data directory it is the same replica by default.
        // Replicas of an HA install are named, as each must be unique.
        if (_options.Replicas > 1)
        {
            arguments.AddRange(["--replica-id", $"chaos-{replica}"]);
        }

        return arguments;
    }

    private Dictionary<string, string> ServeEnvironment() => new()
    {
        ["CHAOS_GITHUB_TOKEN"] = Token,
        ["CHAOS_WEBHOOK_SECRET"] = Secret,
        ["CHAOS_API_TOKEN"] = _apiToken,
    };

    private async Task<string?> RoleAsync()
    {
        try
        {
            using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_serve!.Url, "/api/v1/pools")));
            return document.RootElement.GetProperty("role").GetString();
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits for every matchable job to complete, then for the grace window, then for nothing to be left (bounded).</summary>
    private async Task SettleAsync(ChaosReport report)
    {
        try
        {
            await Eventually.TrueAsync(
                () => Served(report),
                "every matchable job completed (a job whose runner was lost under it: its re-run completed)", _options.CompleteWithin, TimeSpan.FromMilliseconds(250),
                () => string.Join(", ", _emulator.Jobs().Where(j => Jobs(report).Contains(j.Id)).GroupBy(j => j.Status).Select(g => $"{g.Count()} {g.Key}")));
            report.AllCompletedAt = _clock.Elapsed;
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  every matchable job completed");
        }
        catch (TimeoutException e)
        {
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  {e.Message}");
        }

        // The chaos ends with the burst: from here on the forge answers and webhooks arrive, and the fleet has the
        // grace window (the orphan grace period plus a resync or two) to leave nothing behind.
        _emulator.Faults.Rate = 0;
        _provider.StopFaults();
        _emulator.Webhooks.DropRate = 0;
        _emulator.Webhooks.DuplicateRate = 0;
        _emulator.Webhooks.ReorderRate = 0;
        report.SettleStartedAt = _clock.Elapsed;
        var window = _options.Window;
        try
        {
            await Eventually.TrueAsync(
                async () => _emulator.Runners().Count == 0 && _provider.Instances().Count == 0 && _provider.LeftObjects().Count == 0 && await LiveRunnersAsync() == 0,
                $"no registration, no {_provider.Noun} and no live runner in the API left", window, TimeSpan.FromMilliseconds(500),
                () => $"{_emulator.Runners().Count} registrations, {_provider.Instances().Count} {_provider.Nouns}, {_provider.LeftObjects().Count} other objects left");
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  nothing left at the forge or with the provider");
        }
        catch (TimeoutException e)
        {
            _log($"{_clock.Elapsed.TotalSeconds,6:F1} s  {e.Message}");
        }
    }

    /// <summary>Every matchable job completed; one whose runner was lost under it completed successfully in a re-take or a later attempt.</summary>
    private bool Served(ChaosReport report)
    {
        var jobs = _emulator.Jobs();
        foreach (var id in Jobs(report))
        {
            var job = jobs.Single(j => j.Id == id);
            if (job.Status != "completed")
            {
                return false;
            }

            if (report.Interrupted.Any(i => i.Job == id) && job.Conclusion != "success"
                && !jobs.Any(a => a.Id > id && a.RunId == job.RunId && a.Name == job.Name && a.Status == "completed" && a.Conclusion == "success"))
            {
                return false;
            }
        }

        return true;
    }

    private static List<long> Jobs(ChaosReport report)
    {
        lock (report.Jobs)
        {
            return [.. report.Jobs];
        }
    }

    private async Task<List<ChaosReport.Event>> EventsAsync()
    {
        var events = new List<ChaosReport.Event>();
        long after = 0;
        while (true)
        {
            using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_serve!.Url, $"/api/v1/events?after={after}&limit=1000")));
            var page = document.RootElement.GetProperty("events").EnumerateArray()
                .Select(e => new ChaosReport.Event(e.GetProperty("id").GetInt64(), e.GetProperty("kind").GetString()!, e.GetProperty("subject").GetString()!, e.GetProperty("message").GetString() ?? string.Empty))
                .ToList();
            events.AddRange(page);
            if (page.Count < 1000)
            {
                return events;
            }

            after = page[^1].Id;
        }
    }

    private async Task<int> LiveRunnersAsync()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_serve!.Url, "/api/v1/runners")));
        return document.RootElement.GetProperty("runners").EnumerateArray().Count(r => r.GetProperty("state").GetString() != "gone");
    }

    /// <summary>Keeps the run's server log, fleet, event log and provider API calls under artifacts/chaos/seed-N/ (the temporary directory goes).</summary>
    private void KeepLogs()
    {
        if (SharedData.RepositoryRoot is not { } root)
        {
            return;
        }

        var kept = Path.Combine(root, "artifacts", "chaos", $"seed-{_options.Seed}");
        Directory.CreateDirectory(kept);
        foreach (var name in new[] { "serve.log", "serve-1.log", "serve-2.log", "fleet.yaml", "events.log", "provider-api.log" })
        {
            if (File.Exists(_directory.File(name)))
            {
                File.Copy(_directory.File(name), Path.Combine(kept, name), overwrite: true);
            }
        }
    }

    private ChaosReport.WorldState World() => new(
        _emulator.Jobs(),
        _emulator.Runners(),
        _emulator.Sessions,
        _emulator.Minted,
        _emulator.Requests,
        _emulator.Reruns,
        _provider.Instances(),
        _provider.LeftObjects(),
        _provider.Duplicates());

    /// <summary>
    /// Waits (at most 30 s) until the world is in <paramref name="phase"/>; false when it was not reached, or cannot be
    /// any more (the burst is fed and nothing is queued or running).
    /// </summary>
    private async Task<bool> WaitForPhaseAsync(BurstPhase phase, Task feeding)
    {
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(30);
        while (_clock.Elapsed < deadline)
        {
            var jobs = _emulator.Jobs();
            var registrations = _emulator.Runners();
            var sessions = _emulator.Sessions.Select(s => s.RunnerId).ToHashSet();
            var now = DateTimeOffset.UtcNow;
            var held = phase switch
            {
                BurstPhase.Queued => jobs.Any(j => j.Status == "queued" && j.Labels.Contains("linux")) && registrations.Count == 0,
                BurstPhase.Booting => registrations.Any(r => !sessions.Contains(r.Id)),
                BurstPhase.Idle => registrations.Any(r => r.Online && !r.Busy),
                BurstPhase.Busy => jobs.Any(j => j.Status == "in_progress"),
                BurstPhase.Finishing => jobs.Any(j => j.CompletedAt is { } done && now - done < TimeSpan.FromSeconds(1)),
                _ => true,
            };
            if (held)
            {
                return true;
            }

            if (feeding.IsCompleted && !jobs.Any(j => j.Status == "in_progress" || (j.Status == "queued" && j.Labels.Contains("linux"))))
            {
                return false;
            }

            await Task.Delay(25);
        }

        return false;
    }

    /// <summary>The burst's phase as the forge sees it, for the record of each kill point.</summary>
    private string PhaseNow()
    {
        var jobs = _emulator.Jobs();
        return $"{jobs.Count(j => j.Status == "queued")} queued, {jobs.Count(j => j.Status == "in_progress")} running, {jobs.Count(j => j.Status == "completed")} completed, {_emulator.Runners().Count} registrations, {_provider.Running()} {_provider.Nouns} running";
    }

    private string FleetYaml()
    {
        return $$"""
            controllerId: chaos
            orphanGracePeriod: {{(int)_options.OrphanGrace.TotalSeconds}}s
            forges:
              - name: github
                kind: github
                url: {{_emulator.ApiUrl}}
                auth: { token: env:CHAOS_GITHUB_TOKEN }
                webhookSecret: env:CHAOS_WEBHOOK_SECRET
                pollInterval: {{(int)_options.PollInterval.TotalSeconds}}s
            providers:
            {{_provider.ProviderYaml}}
            pools:
              - name: linux
                forge: github
                scope: { repo: {{Repository}} }
                labels: [linux]
                provider: {{_provider.Name}}
                max: 6
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
            """;
    }
}
