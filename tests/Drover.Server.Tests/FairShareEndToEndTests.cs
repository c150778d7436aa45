using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Server.Hosting;
using Drover.Simulation.Demo;
using Drover.Storage;
using Drover.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Server.Tests;

/// <summary>
/// Cost you can trust, end to end in the simulated world on a fake clock: the production control loop over the demo
/// world's forge and provider and a SQLite store. Two teams share one capacity limit (the provider's
/// <c>maxRunners: 9</c>; web weight 2, data weight 1); their budgets cross 80% and 100%, a quota holds through a
/// 200-job burst, and the capacity is shared by weight while both teams have demand.
/// </summary>
public sealed class FairShareEndToEndTests : FakeClockWorldTests
{
    private const string FleetYaml = """
        controllerId: fair
        forges:
          - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:DROVER_E2E_UNUSED" } }
        providers:
          - name: sim
            type: simulated
            maxRunners: 9
            # 3.6 an hour: 0.001 a runner-second.
            price: { currency: USD, onDemand: { perHour: 3.6 }, billing: per-second }
        teams:
          - name: web
            pools: [web]
            weight: 2
            WEB_BUDGET
          - name: data
            pools: [data]
            quota: { runners: 5 }
            DATA_BUDGET
        pools:
          - name: web
            forge: github
            scope: { org: example }
            labels: [web]
            provider: sim
            max: 50
            idle: WEB_IDLE
            idleTimeout: 30s
          - name: data
            forge: github
            scope: { org: example }
            labels: [data]
            provider: sim
            max: 50
            idleTimeout: 30s
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task TwoTeamsShareOneLimit_LentShareTakenBack_WithinOneRunnerOfTheWeights_QuotaHeldThroughA200JobBurst()
    {
        var world = await StartAsync(webIdle: 0, webBudget: string.Empty, dataBudget: string.Empty);

        // web alone: it borrows data's share, the whole capacity.
        for (var i = 0; i < 60; i++)
        {
            world.World.Submit("github", ["web"], TimeSpan.FromSeconds(30));
        }

        var webAlone = 0;
        for (var t = 0; t < 60; t += 5)
        {
            var (_, counts) = await world.CycleAsync();
            webAlone = Math.Max(webAlone, counts.Web);
        }

        Assert.Equal(9, webAlone);

        // data's burst: 200 jobs at once. Its share is taken back as web's busy runners finish (none is cut), and from
        // then on, while both teams have jobs waiting, each holds its weighted share (6 and 3) within one runner.
        var burstAt = Time.GetUtcNow();
        for (var i = 0; i < 200; i++)
        {
            world.World.Submit("github", ["data"], TimeSpan.FromSeconds(5));
        }

        var samples = new List<(TimeSpan After, int Web, int Data)>();
        var dataPeak = 0;
        var lentToData = 0;
        for (var cycle = 0; cycle < 400 && world.Completed < 260; cycle++)
        {
            var (plan, counts) = await world.CycleAsync();
            dataPeak = Math.Max(dataPeak, counts.Data);
            var queued = plan.Pools.ToDictionary(p => p.Pool, p => p.Demand.Queued);
            if (queued["web"] > 0 && queued["data"] > 0)
            {
                samples.Add((Time.GetUtcNow() - burstAt, counts.Web, counts.Data));
            }
            else if (queued["data"] > 0)
            {
                lentToData = Math.Max(lentToData, counts.Data);
            }
        }

        Assert.Equal(260, world.Completed);
        Assert.Empty(world.BusyRunnersDeleted);
        Assert.InRange(dataPeak, 1, 5);
        Assert.Equal(5, lentToData);
        var settled = samples.Where(s => s.After > TimeSpan.FromSeconds(60)).ToList();
        Assert.True(settled.Count >= 20, $"both teams had demand in only {settled.Count} cycles after settling");
        Assert.All(settled, s => Assert.True(Math.Abs(s.Web - 6) <= 1 && Math.Abs(s.Data - 3) <= 1, $"{s.After}: web {s.Web}, data {s.Data}; shares 6 and 3"));
        Assert.Contains(samples, s => s.After <= TimeSpan.FromSeconds(60) && s.Data < 3);
    }

    [Fact]
    public async Task Budgets_Cross80And100Percent_AlertedAndNotified_HardCapMakesNoRunner_StopWarmEmptiesTheWarmPoolButServesJobs()
    {
        var received = new ConcurrentQueue<JsonElement>();
        var (receiver, url) = await LoopbackApp.StartAsync(app => app.MapPost("/budget", async (HttpRequest request) =>
        {
            received.Enqueue((await JsonDocument.ParseAsync(request.Body)).RootElement.Clone());
            return Results.Ok();
        }));
        await using var _ = receiver;
        var secrets = new SecretResolver(name => name == "DROVER_E2E_BUDGET_URL" ? new Uri(url, "/budget").ToString() : null);
        using var notifier = new BudgetWebhookNotifier(new HttpClient(), secrets, TimeProvider.System, NullLogger.Instance);
        await notifier.StartAsync(CancellationToken.None);
        var world = await StartAsync(
            webIdle: 2,
            webBudget: "budget: { limit: 0.6, period: day, action: stop-warm }",
            dataBudget: "budget: { limit: 0.6, period: day, thresholds: [0.8], action: hard-cap, notify: { url: env:DROVER_E2E_BUDGET_URL } }",
            notifier);
        using var ratios = new BudgetRatios(Metrics);

        // Both teams get a 20 s job every 10 s; web keeps two warm runners. About three runners each (0.003 a
        // second): a budget of 0.6 lasts a few minutes.
        DateTimeOffset? dataAt80 = null, dataAt100 = null, webAt100 = null;
        var webWarmBefore = 0;
        double? ratioAt80 = null;
        var dataCreatesAfterCap = 0;
        var webJobsStartedAfterStopWarm = 0;
        var webIdleAtEnd = -1;
        for (var cycle = 0; cycle < 120; cycle++)
        {
            // Half a minute to warm up, jobs until the ninth minute, then a quiet minute in which the warm pool would be
            // back at 2 without the budget.
            if (cycle % 2 == 0 && cycle is >= 6 and < 108)
            {
                world.World.Submit("github", ["web"], TimeSpan.FromSeconds(20));
                world.World.Submit("github", ["data"], TimeSpan.FromSeconds(20));
            }

            var (plan, counts) = await world.CycleAsync();
            if (dataAt100 is not null)
            {
                dataCreatesAfterCap += plan.Actions.OfType<CreateRunner>().Count(c => c.Pool == "data");
            }

            if (webAt100 is not null)
            {
                webJobsStartedAfterStopWarm += world.LastEvents.Count(e => e.Kind == JobEventKind.Started && e.Labels.Contains("web"));
                webIdleAtEnd = counts.WebIdle;
            }
            else
            {
                webWarmBefore = Math.Max(webWarmBefore, counts.WebIdle);
            }

            var events = await Store.ListEventsAsync(new EventQuery { Limit = 100_000 }, CancellationToken.None);
            if (dataAt80 is null && events.FirstOrDefault(e => e.Kind == EventKinds.BudgetThreshold && e.Subject == "team/data") is { } at80)
            {
                dataAt80 = at80.At;
                ratioAt80 = ratios.Read("team/data");
            }

            dataAt100 ??= events.FirstOrDefault(e => e.Kind == EventKinds.BudgetExhausted && e.Subject == "team/data")?.At;
            webAt100 ??= events.FirstOrDefault(e => e.Kind == EventKinds.BudgetExhausted && e.Subject == "team/web")?.At;
        }

        // 80%: the event once, the metric, and the notification at the receiver.
        var all = await Store.ListEventsAsync(new EventQuery { Limit = 100_000 }, CancellationToken.None);
        Assert.NotNull(dataAt80);
        Assert.Single(all, e => e.Kind == EventKinds.BudgetThreshold && e.Subject == "team/data");
        Assert.NotNull(ratioAt80);
        Assert.InRange(ratioAt80!.Value, 0.8, 1.0);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (received.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal([0.8m, 1m], received.Where(b => b.GetProperty("budget").GetString() == "team/data").Select(b => b.GetProperty("threshold").GetDecimal()));

        // 100%, hard-cap: no runner of data is created after it; its jobs wait.
        Assert.NotNull(dataAt100);
        Assert.True(dataAt100 > dataAt80);
        Assert.Equal(0, dataCreatesAfterCap);
        Assert.True(world.Last!.Pools.Single(p => p.Pool == "data").Demand.Queued > 0, "data's jobs wait once its budget is spent");
        Assert.True(ratios.Read("team/data") >= 1.0);

        // 100%, stop-warm: the warm pool goes to 0 while web's queued jobs are still served.
        Assert.NotNull(webAt100);
        Assert.Equal(2, webWarmBefore);
        Assert.Equal(0, webIdleAtEnd);
        Assert.True(webJobsStartedAfterStopWarm >= 10, $"only {webJobsStartedAfterStopWarm} web jobs started after its budget was spent");
        Assert.Contains(world.Last.Pools.Single(p => p.Pool == "web").Notes, n => n.StartsWith("budget reached: team/web", StringComparison.Ordinal));
        await notifier.StopAsync(CancellationToken.None);
    }

    private async Task<WorldLoop> StartAsync(int webIdle, string webBudget, string dataBudget, Core.Cost.IBudgetNotifier? notifier = null)
    {
        var yaml = FleetYaml.Replace("WEB_IDLE", webIdle.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("WEB_BUDGET", webBudget, StringComparison.Ordinal)
            .Replace("DATA_BUDGET", dataBudget, StringComparison.Ordinal);
        var config = Fleet(yaml, "fair.yaml");
        var (world, vault) = World(config);
        return new WorldLoop(world, await StartLoopAsync(config, world, vault, seed: 7, TimeSpan.FromSeconds(15), notifier), Store, Time);
    }

    /// <summary>The world and the loop, advanced together one step at a time.</summary>
    private sealed class WorldLoop(DemoWorld world, ControlLoop loop, IStateStore store, FakeTimeProvider time)
    {
        private readonly HashSet<string> _busy = new(StringComparer.Ordinal);

        public DemoWorld World { get; } = world;

        public Plan? Last { get; private set; }

        public IReadOnlyList<JobEvent> LastEvents { get; private set; } = [];

        public int Completed { get; private set; }

        /// <summary>Runners deleted by a plan while busy (there must be none: a busy runner is never cut for fair share).</summary>
        public List<string> BusyRunnersDeleted { get; } = [];

        /// <summary>Advances the clock one step, delivers the world's job events, runs one cycle; returns its plan and the active runners after it.</summary>
        public async Task<(Plan Plan, (int Web, int Data, int WebIdle) Counts)> CycleAsync()
        {
            time.Advance(Step);
            LastEvents = World.Tick();
            foreach (var e in LastEvents)
            {
                loop.Ingest(e);
                Completed += e.Kind == JobEventKind.Completed ? 1 : 0;
            }

            Last = await loop.RunCycleAsync(CancellationToken.None);
            BusyRunnersDeleted.AddRange(Last.Actions.OfType<DeleteRunner>().Where(d => _busy.Contains(d.RunnerId)).Select(d => d.RunnerId));
            var runners = await store.ListLiveRunnersAsync(null, CancellationToken.None);
            _busy.Clear();
            _busy.UnionWith(runners.Where(r => r.State == Core.Runners.RunnerState.Busy).Select(r => r.Id));
            return (Last, (runners.Count(r => r.IsActive && r.Pool == "web"), runners.Count(r => r.IsActive && r.Pool == "data"), runners.Count(r => r.State == Core.Runners.RunnerState.Idle && r.Pool == "web")));
        }
    }

    /// <summary>Reads <c>drover_budget_used_ratio</c> as an exporter would.</summary>
    private sealed class BudgetRatios : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, double> _last = new(StringComparer.Ordinal);

        public BudgetRatios(EngineMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == metrics.Meter && instrument.Name == "drover_budget_used_ratio")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "budget")
                    {
                        _last[(string)tag.Value!] = value;
                    }
                }
            });
            _listener.Start();
        }

        public double? Read(string budget)
        {
            _last.Clear();
            _listener.RecordObservableInstruments();
            return _last.TryGetValue(budget, out var value) ? value : null;
        }

        public void Dispose() => _listener.Dispose();
    }
}
