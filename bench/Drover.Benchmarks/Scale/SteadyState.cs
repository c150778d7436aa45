using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Runners;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Forges.GitHub;
using Drover.Forges.GitLab;
using Drover.Server.Hosting;
using Drover.Simulation.Demo;
using Drover.Testing.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Benchmarks.Scale;

/// <summary>
/// The steady state of <c>bench scale</c>: a real <c>drover serve</c> host (in-process, 127.0.0.1, its control loop,
/// store and API) on a generated fleet of <see cref="SteadyOptions.Pools"/> pools in the simulated world, warmed until
/// every pool keeps its idle runners, then measured for <see cref="SteadyOptions.Measure"/> while a Poisson job stream
/// runs: every control cycle's duration (the engine's own <c>drover_plan_cycle_duration_seconds</c> measurements), CPU
/// seconds per wall second, RSS and managed heap, and the store's growth (bytes and rows per table) extrapolated to a day.
/// The process holds the host, the simulated world and the job driver together: RSS and CPU include all three.
/// </summary>
internal static class SteadyState
{
    public static async Task<SteadyResult> RunAsync(SteadyOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("drover-scale-").FullName;
        PostgresServer? postgres = null;
        try
        {
            string location;
            StoreProbe probe;
            if (options.Store == "postgres")
            {
                postgres = new PostgresServer();
                await postgres.InitializeAsync();
                if (postgres.UnavailableReason is { } reason)
                {
                    throw new InvalidOperationException("PostgreSQL is not available here: " + reason);
                }

                var connection = await postgres.CreateDatabaseAsync();
                location = "postgres:" + connection;
                probe = StoreProbe.Postgres(connection);
            }
            else
            {
                var path = Path.Combine(directory, "state.db");
                location = "sqlite:" + path;
                probe = StoreProbe.Sqlite(path);
            }

            var world = new ScaleWorldModule(new DemoOptions
            {
                JobsPerHour = 0,
                SpeedUp = 1,
                BootMin = TimeSpan.FromSeconds(1),
                BootMax = TimeSpan.FromSeconds(3),
                Seed = options.Seed,
            });
            var catalog = new AdapterCatalog().Add(world).Add(new GitHubModule()).Add(new GitLabModule());
            var loader = new FleetConfigLoader(catalog.ValidationOptions(Core.Policies.PolicyRegistry.CreateDefault().Policies));
            var yaml = ScaleFleet.Yaml(options.Pools, options.Idle, options.Max);
            var server = new ServerOptions
            {
                LoadConfig = () => loader.LoadFromString(yaml, ScaleFleet.FileName),
                StoreLocation = location,
                Urls = "http://127.0.0.1:0",
                Demo = true,
                Catalog = catalog,
                Logging = new LoggingOptions { MinimumLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
            };
            await using var app = await DroverServer.BuildAsync(server, cancellationToken: cancellationToken);
            await app.StartAsync(cancellationToken);
            var loop = app.Services.GetRequiredService<ControlLoop>();
            var metrics = app.Services.GetRequiredService<EngineMetrics>();

            var target = options.Pools * options.Idle;
            var warm = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            while (warm.Elapsed < options.WarmupLimit && loop.Snapshot.Runners.Count(r => r.State == RunnerState.Idle) < target)
            {
                await Task.Delay(500, cancellationToken);
                if (warm.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
                {
                    lastReport = warm.Elapsed;
                    log.WriteLine(Invariant($"  warming: {warm.Elapsed.TotalSeconds:0}s, {loop.Snapshot.Runners.Count} live, {loop.Snapshot.Runners.Count(r => r.State == RunnerState.Idle)} idle, cycle {loop.Snapshot.Cycles}"));
                }
            }

            // The first cost passes over a new fleet write each runner's boot (a closed segment, once per runner): wait
            // until the ledger has caught up with (almost) every live runner, so the window measures the steady state.
            var settle = Stopwatch.StartNew();
            long behind;
            while ((behind = await probe.RunnersNotCostedToTheirStateAsync()) > target / 100 && settle.Elapsed < options.WarmupLimit)
            {
                await Task.Delay(1000, cancellationToken);
            }

            log.WriteLine(Invariant($"  cost ledger caught up after {settle.Elapsed.TotalSeconds:0.0}s more ({behind} live runners not costed to their current state)"));
            var warmup = warm.Elapsed;
            var liveAtStart = loop.Snapshot.Runners.Count;
            log.WriteLine(Invariant($"  warm after {warmup.TotalSeconds:0.0}s: {liveAtStart} live runners; measuring {options.Measure.TotalSeconds:0}s"));

            var cycles = new List<double>();
            var steps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            var costPasses = new List<double>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter)
                    && instrument.Name is "drover_plan_cycle_duration_seconds" or "drover_plan_cycle_step_seconds" or "drover_cost_pass_duration_seconds")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                lock (cycles)
                {
                    if (instrument.Name == "drover_plan_cycle_duration_seconds")
                    {
                        cycles.Add(value * 1000);
                        return;
                    }

                    if (instrument.Name == "drover_cost_pass_duration_seconds")
                    {
                        costPasses.Add(value * 1000);
                        return;
                    }

                    foreach (var tag in tags)
                    {
                        if (tag is { Key: "step", Value: string step })
                        {
                            (steps.TryGetValue(step, out var list) ? list : steps[step] = []).Add(value * 1000);
                        }
                    }
                }
            });
            listener.Start();

            using var process = Process.GetCurrentProcess();
            var sizeBefore = await probe.SizeAsync();
            var rowsBefore = await probe.RowsAsync();
            var hourLinesBefore = await probe.HourLinesAsync();
            var cpuBefore = process.TotalProcessorTime;
            var cyclesBefore = loop.Snapshot.Cycles;
            var wall = Stopwatch.StartNew();
            var windowStart = TimeProvider.System.GetUtcNow();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var submitted = 0;
            var driver = Task.Run(() => DriveJobsAsync(world.World!, options, () => submitted++, stop.Token), CancellationToken.None);
            long peakRss = 0, peakHeap = 0, peakCommitted = 0;
            var liveMin = int.MaxValue;
            var liveMax = 0;
            while (wall.Elapsed < options.Measure)
            {
                await Task.Delay(1000, cancellationToken);
                process.Refresh();
                peakRss = Math.Max(peakRss, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                peakCommitted = Math.Max(peakCommitted, GC.GetGCMemoryInfo().TotalCommittedBytes);
                var live = loop.Snapshot.Runners.Count;
                liveMin = Math.Min(liveMin, live);
                liveMax = Math.Max(liveMax, live);
            }

            await stop.CancelAsync();
            await driver;
            var elapsed = wall.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var cycleCount = loop.Snapshot.Cycles - cyclesBefore;
            listener.Dispose();
            var sizeAfter = await probe.SizeAsync();
            var rowsAfter = await probe.RowsAsync();
            var hourLines = await probe.HourLinesAsync() - hourLinesBefore;
            var afterGcHeap = GC.GetTotalMemory(forceFullCollection: true);
            await app.StopAsync(cancellationToken);

            double[] sorted;
            Dictionary<string, (double P50, double P99)> stepTimes;
            lock (cycles)
            {
                sorted = [.. cycles.Order()];
                stepTimes = steps.ToDictionary(s => s.Key, s => { double[] v = [.. s.Value.Order()]; return (Quantile(v, 0.50), Quantile(v, 0.99)); }, StringComparer.Ordinal);
            }

            double[] passes;
            lock (cycles)
            {
                passes = [.. costPasses.Order()];
            }

            var perDay = 86_400 / elapsed.TotalSeconds;
            return new SteadyResult
            {
                Options = options,
                Warmup = warmup,
                LiveMin = liveMin,
                LiveMax = liveMax,
                Elapsed = elapsed,
                Cycles = cycleCount,
                CycleP50Ms = Quantile(sorted, 0.50),
                CycleP99Ms = Quantile(sorted, 0.99),
                CycleMaxMs = sorted.Length == 0 ? 0 : sorted[^1],
                StepMs = stepTimes,
                CpuPerWall = cpu.TotalSeconds / elapsed.TotalSeconds,
                PeakRssBytes = peakRss,
                PeakHeapBytes = peakHeap,
                PeakCommittedBytes = peakCommitted,
                HeapAfterFullGcBytes = afterGcHeap,
                JobsSubmitted = submitted,
                StoreBytesPerDay = (sizeAfter - sizeBefore) * perDay,
                StoreBytesAtEnd = sizeAfter,
                RowsPerDay = rowsAfter.ToDictionary(r => r.Key, r => (r.Value - rowsBefore.GetValueOrDefault(r.Key)) * perDay, StringComparer.Ordinal),
                RowsAtEnd = rowsAfter,
                CostPasses = passes.Length,
                CostPassP50Ms = Quantile(passes, 0.50),
                CostPassMaxMs = passes.Length == 0 ? 0 : passes[^1],
                HourLines = hourLines,
                WindowStart = windowStart,
                WindowEnd = windowStart + elapsed,
            };
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may still be closing.
            }
        }
    }

    /// <summary>Poisson arrivals at <see cref="SteadyOptions.JobsPerHour"/>, each to a random pool, durations lognormal (median 5 min, sigma 1, at most 1 h).</summary>
    private static async Task DriveJobsAsync(DemoWorld world, SteadyOptions options, Action submitted, CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed);
        var perSecond = options.JobsPerHour / 3600;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var gap = -Math.Log(1 - random.NextDouble()) / perSecond;
                await Task.Delay(TimeSpan.FromSeconds(gap), cancellationToken);
                var pool = random.Next(options.Pools);
                var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                var duration = TimeSpan.FromSeconds(Math.Min(3600, 300 * Math.Exp(normal)));
                world.Submit(ScaleFleet.ForgeOf(pool), ScaleFleet.LabelsOf(pool), duration);
                submitted();
            }
        }
        catch (OperationCanceledException)
        {
            // The measurement ended.
        }
    }

    private static double Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
