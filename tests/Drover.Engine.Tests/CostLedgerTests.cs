using System.Reflection;
using Drover.Core.Adapters;
using Drover.Core.Cost;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.Engine.Loop;

namespace Drover.Engine.Tests;

/// <summary>
/// The live cost ledger (<see cref="CostLedger"/>): what it writes adds up to each runner's billed time times its price,
/// across restarts and a stale leader that costs from marks another leader moved meanwhile.
/// </summary>
public sealed class CostLedgerTests
{
    private static readonly TimeSpan Span = TimeSpan.FromHours(3);

    [Theory]
    [InlineData(1, "per-second")]
    [InlineData(2, "per-second")]
    [InlineData(3, "per-minute")]
    [InlineData(4, "per-hour")]
    [InlineData(5, "per-second, minimum: 10m")]
    public async Task Ledger_RandomLivesRestartsAndAStaleLeader_TotalEqualsEachRunnersBilledTimeTimesItsPrice(int seed, string billing)
    {
        await using var h = await LoopHarness.CreateAsync(provider: $", price: {{ onDemand: {{ perHour: 3.6 }}, billing: {billing} }}");
        var random = new Random(seed);
        var t0 = h.Time.GetUtcNow();
        var end = t0 + Span;
        var lives = Enumerable.Range(0, 15).Select(i => Life(random, t0, i)).ToList();
        var pending = lives.SelectMany(l => l.Steps.Select(s => (Life: l, s.At, s.State))).OrderBy(s => s.At).ToList();
        var hooked = HookedStore.Over(h.Store);
        // Passes are forced (every runner at once) or spread (at most four runners a cycle, each batch read afresh, gone
        // runners listed only since the last clean pass); no interval, so a spread pass goes on at every call.
        CostLedger NewLedger(IStateStore store) => new(Services(h, store), TimeSpan.Zero, maxRunnersPerPass: 4);
        var ledger = NewLedger(h.Store);
        var passes = 0;
        var conflicts = 0;
        var restarts = 0;

        for (var now = t0; now < end; now += TimeSpan.FromSeconds(random.Next(5, 240)))
        {
            await ApplyAsync(h.Store, pending, now);
            var action = random.Next(10);
            if (action < 6)
            {
                await ledger.RecordAsync(h.Config, _ => null, now, force: random.Next(3) == 0, CancellationToken.None);
                passes++;
            }
            else if (action < 8)
            {
                // A restart: a new process costs from the stored marks.
                ledger = NewLedger(h.Store);
                restarts++;
            }
            else
            {
                // A stale leader reads the marks, then the current leader costs, then the stale one writes.
                var stale = NewLedger(hooked.Proxy);
                var current = ledger;
                var at = now;
                hooked.AfterListToCost = () => current.RecordAsync(h.Config, _ => null, at, force: true, CancellationToken.None);
                await stale.RecordAsync(h.Config, _ => null, now, force: random.Next(2) == 0, CancellationToken.None);
                conflicts += stale.MovedPasses;
            }
        }

        await ApplyAsync(h.Store, pending, end);
        // Spread passes only at the end (a forced one would list every runner and hide one a spread pass missed).
        var last = await ledger.RecordAsync(h.Config, _ => null, end, force: false, CancellationToken.None);
        for (var call = 0; call < 12; call++)
        {
            last = await ledger.RecordAsync(h.Config, _ => null, end, force: false, CancellationToken.None);
        }


        // What the store holds plus the live time not written yet (the open segments of live runners) is each life's
        // billed time, at its price; the written lines alone are one per state segment and UTC hour, not one per pass.
        var price = PriceBook.For(h.Config, h.Config.Pools[0]);
        var written = await h.Store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None);
        var lines = written.Concat(last.Pending).ToList();
        foreach (var life in lives)
        {
            var (seconds, byKind) = Billed(life, end);
            var mine = lines.Where(l => l.RunnerId == life.Id).OrderBy(l => l.From).ToList();
            Assert.Equal(decimal.Round(price.Charge(0, seconds), 12), decimal.Round(mine.Sum(l => l.Amount), 12));
            foreach (var kind in Enum.GetValues<CostKind>())
            {
                Assert.Equal((double)byKind.GetValueOrDefault(kind), mine.Where(l => l.Kind == kind).Sum(l => l.RunnerSeconds), 6);
            }

            Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.To <= p.Second.From), $"{life.Id}: lines overlap");
            var lifeEnd = life.Steps[^1].State == RunnerState.Gone && life.Steps[^1].At < end ? life.Steps[^1].At : end;
            var hours = (int)((CostLedger.HourStart(lifeEnd) - CostLedger.HourStart(life.Steps[0].At)).Ticks / TimeSpan.TicksPerHour);
            Assert.True(written.Count(l => l.RunnerId == life.Id) <= life.Steps.Count + hours, $"{life.Id}: {written.Count(l => l.RunnerId == life.Id)} lines for {life.Steps.Count} states over {hours} hours");
        }

        Assert.All(written, l => Assert.True(CostLedger.HourStart(l.From) == CostLedger.HourStart(l.To) || l.To == CostLedger.HourStart(l.To), $"line {l.From:O}-{l.To:O} spans two hours"));
        Assert.True(passes > 10 && restarts > 0 && conflicts > 0, $"passes {passes}, restarts {restarts}, stale passes rolled back {conflicts}");
        Assert.All(lines, l => Assert.Equal("linux", l.Pool));
        Assert.All(lines.Where(l => l.Kind == CostKind.Busy), l => Assert.NotNull(l.Job));
    }

    [Fact]
    public async Task ControlLoop_WarmRunners_AreCostedAsIdleWasteWhileTheyWait()
    {
        await using var h = await LoopHarness.CreateAsync(idle: 2, provider: ", price: { onDemand: { perHour: 0.6 } }", pool: "team: web");
        await h.Loop.RunCycleAsync(CancellationToken.None);
        for (var i = 0; i < 6; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(30));
            foreach (var runner in await h.Store.ListLiveRunnersAsync(null, CancellationToken.None))
            {
                h.Forge.Register(runner.Id);
            }

            await h.Loop.RunCycleAsync(CancellationToken.None);
        }

        // Idle time is written when the hour ends (or the runner's state changes); until then the budgets count it live.
        var before = await h.Store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None);
        Assert.DoesNotContain(before, l => l.Kind == CostKind.Idle);
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var lines = await h.Store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None);

        Assert.Contains(lines, l => l.Kind == CostKind.Idle && l.Amount > 0 && l.To == CostLedger.HourStart(h.Time.GetUtcNow()));
        Assert.All(lines, l => Assert.Equal(("linux", "web", "fake", "USD", "org:acme"), (l.Pool, l.Team, l.Provider, l.Currency, l.Scope)));
        Assert.True(lines.Sum(l => l.Amount) <= 2 * 0.6m * 64 / 60, "two runners for at most 64 minutes");
    }

    [Fact]
    public async Task Budget_CrossesEightyThenAHundredPercent_EachAlertOnceAcrossARestartAndHardCapStopsCreates()
    {
        // Two warm runners at 36 an hour cost 0.02 a second together; a budget of 3 is at 80% after 2 minutes.
        await using var h = await LoopHarness.CreateAsync(
            idle: 2,
            provider: ", price: { onDemand: { perHour: 36 } }",
            pool: "budget: { limit: 3, period: day, timezone: Europe/Berlin, notify: { url: env:DROVER_TEST_BUDGET_URL, format: slack } }");
        var notifier = new RecordingNotifier();
        var loop = new ControlLoop(h.Config, h.Store, new EngineAdapters([h.Provider], [h.Forge]), h.Time, h.Logger, h.Metrics, h.Options, notifier: notifier);
        await loop.StartAsync(CancellationToken.None);
        for (var i = 0; i < 8; i++)
        {
            foreach (var runner in await h.Store.ListLiveRunnersAsync(null, CancellationToken.None))
            {
                h.Forge.Register(runner.Id);
            }

            await loop.RunCycleAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromSeconds(30));
            if (i == 4)
            {
                // A restart mid-way: the alerts already raised are not raised again.
                loop = new ControlLoop(h.Config, h.Store, new EngineAdapters([h.Provider], [h.Forge]), h.Time, h.Logger, h.Metrics, h.Options, notifier: notifier);
                await loop.StartAsync(CancellationToken.None);
            }
        }

        var events = await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Single(events, e => e.Kind == EventKinds.BudgetThreshold && e.Subject == "pool/linux");
        Assert.Single(events, e => e.Kind == EventKinds.BudgetExhausted && e.Subject == "pool/linux");
        Assert.Equal([0.8m, 1m], notifier.Alerts.Select(a => a.Threshold));
        var status = Assert.Single(loop.Snapshot.Budgets);
        Assert.True(status.Exhausted);
        Assert.Contains(loop.Snapshot.Plan!.Pools.Single().Notes, n => n.StartsWith("budget reached: pool/linux", StringComparison.Ordinal) && n.Contains("hard-cap", StringComparison.Ordinal));

        // Hard cap: the runners deleted from now on are not replaced.
        var creates = h.Provider.CreateCalls;
        foreach (var runner in await h.Store.ListLiveRunnersAsync(null, CancellationToken.None))
        {
            h.Forge.Remove(runner.Id);
            h.Provider.Fail(runner.InstanceId!, "gone");
        }

        for (var i = 0; i < 3; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(30));
            await loop.RunCycleAsync(CancellationToken.None);
        }

        Assert.Equal(creates, h.Provider.CreateCalls);
    }

    private sealed class RecordingNotifier : IBudgetNotifier
    {
        public List<BudgetAlert> Alerts { get; } = [];

        public void Enqueue(Core.Config.BudgetNotify notify, BudgetAlert alert)
        {
            Assert.Equal("env:DROVER_TEST_BUDGET_URL", notify.Url.ToString());
            Alerts.Add(alert);
        }
    }

    [Fact]
    public async Task Pass_OverMoreRunnersThanTheCap_IsSpreadOverCycles_EachRunnerOnce_ThenWaitsTheInterval()
    {
        await using var h = await LoopHarness.CreateAsync(provider: ", price: { onDemand: { perHour: 3.6 }, billing: per-second }");
        var t0 = h.Time.GetUtcNow();
        for (var i = 0; i < 10; i++)
        {
            var runner = new Runner { Id = $"r{i}", Pool = "linux", Provider = "fake", IdempotencyKey = $"r{i}", Ordinal = i, State = RunnerState.Idle, StateSince = t0, CreatedAt = t0 };
            await h.Store.InTransactionAsync((w, ct) => w.UpsertRunnerAsync(runner, "test", ct).ContinueWith(_ => true, ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default), CancellationToken.None);
        }

        var ledger = new CostLedger(Services(h, h.Store), TimeSpan.FromMinutes(1), maxRunnersPerPass: 3);
        var at = t0 + TimeSpan.FromMinutes(1);
        var costed = new List<string>();
        for (var cycle = 0; cycle < 4; cycle++)
        {
            var now = at + TimeSpan.FromSeconds(cycle);
            var pass = await ledger.RecordAsync(h.Config, _ => null, now, force: false, CancellationToken.None);
            var runners = pass.Pending.Where(l => l.To == now).Select(l => l.RunnerId!).ToList();
            Assert.InRange(runners.Count, 1, 3);
            costed.AddRange(runners);
        }

        // Four cycles of at most three cost the ten runners once each; the pass is complete and waits for the interval.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"r{i}").Order(StringComparer.Ordinal), costed.Order(StringComparer.Ordinal));
        var early = await ledger.RecordAsync(h.Config, _ => null, at + TimeSpan.FromSeconds(30), force: false, CancellationToken.None);
        Assert.DoesNotContain(early.Pending, l => l.To == at + TimeSpan.FromSeconds(30));
        var next = await ledger.RecordAsync(h.Config, _ => null, at + TimeSpan.FromSeconds(70), force: false, CancellationToken.None);
        Assert.Equal(3, next.Pending.Count(l => l.To == at + TimeSpan.FromSeconds(70)));
        Assert.Equal(10, next.Pending.Count);
    }

    [Fact]
    public async Task IdleRunner_CostedEveryMinuteForThreeHours_WritesALinePerHour_AndTheLiveRestIsPending()
    {
        await using var h = await LoopHarness.CreateAsync(provider: ", price: { onDemand: { perHour: 3.6 }, billing: per-second }");
        var t0 = h.Time.GetUtcNow() + TimeSpan.FromMinutes(20);
        var runner = new Runner { Id = "r0", Pool = "linux", Provider = "fake", IdempotencyKey = "r0", Ordinal = 0, State = RunnerState.Idle, StateSince = t0, CreatedAt = t0 };
        await h.Store.InTransactionAsync((w, ct) => w.UpsertRunnerAsync(runner, "test", ct).ContinueWith(_ => true, ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default), CancellationToken.None);
        var ledger = new CostLedger(Services(h, h.Store), TimeSpan.FromMinutes(1));
        CostPass? pass = null;
        for (var minute = 1; minute <= 180; minute++)
        {
            pass = await ledger.RecordAsync(h.Config, _ => null, t0 + TimeSpan.FromMinutes(minute), force: false, CancellationToken.None);
        }

        // 12:20 to 15:20: lines 12:20-13:00, 13:00-14:00, 14:00-15:00 written; 15:00-15:20 pending.
        var lines = await h.Store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None);
        var hour = CostLedger.HourStart(t0);
        Assert.Equal([(t0, hour.AddHours(1)), (hour.AddHours(1), hour.AddHours(2)), (hour.AddHours(2), hour.AddHours(3))], lines.Select(l => (l.From, l.To)));
        var live = Assert.Single(pass!.Pending);
        Assert.Equal((hour.AddHours(3), t0 + TimeSpan.FromMinutes(180)), (live.From, live.To));
        Assert.Equal(3m * 3600 * 0.001m, lines.Sum(l => l.Amount) + live.Amount);
    }

    [Fact]
    public async Task Budget_SeesTheLiveTimeNotWrittenYet_AndCountsItOnceWhenItIsWritten()
    {
        await using var h = await LoopHarness.CreateAsync(provider: ", price: { onDemand: { perHour: 3.6 }, billing: per-second }", pool: "budget: { limit: 1000, period: day }");
        var t0 = h.Time.GetUtcNow() + TimeSpan.FromMinutes(30);
        var runner = new Runner { Id = "r0", Pool = "linux", Provider = "fake", IdempotencyKey = "r0", Ordinal = 0, State = RunnerState.Idle, StateSince = t0, CreatedAt = t0 };
        await h.Store.InTransactionAsync((w, ct) => w.UpsertRunnerAsync(runner, "test", ct).ContinueWith(_ => true, ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default), CancellationToken.None);
        var ledger = new CostLedger(Services(h, h.Store), TimeSpan.FromMinutes(1));
        var budgets = new BudgetTracker(Services(h, h.Store), null, TimeSpan.FromHours(1));
        var spends = new List<decimal>();
        foreach (var minutes in new[] { 10, 20, 31, 45 })
        {
            var now = t0 + TimeSpan.FromMinutes(minutes);
            await budgets.StatusAsync(h.Config, now, CancellationToken.None);
            budgets.Add(h.Config, await ledger.RecordAsync(h.Config, _ => null, now, force: false, CancellationToken.None));
            spends.Add(Assert.Single(await budgets.StatusAsync(h.Config, now, CancellationToken.None)).Spend);
        }

        // 0.001 a second: 10, 20, 31 and 45 minutes; at 31 the first 30 minutes are written, the last one is live.
        Assert.Equal([0.6m, 1.2m, 1.86m, 2.7m], spends);
        Assert.Equal(1.8m, (await h.Store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None)).Sum(l => l.Amount));
    }

    private static ExecutionServices Services(LoopHarness h, IStateStore store) => new()
    {
        Store = store,
        Adapters = new EngineAdapters([h.Provider], [h.Forge]),
        Vault = new RunnerCredentialVault(),
        Calls = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0 }, h.Time, new Random(1)),
        Time = h.Time,
        Logger = h.Logger,
        Metrics = h.Metrics,
    };

    /// <summary>Writes every step due by <paramref name="now"/> as the engine would: the runner upserted with its new state.</summary>
    private static async Task ApplyAsync(IStateStore store, List<(RunnerLife Life, DateTimeOffset At, RunnerState State)> pending, DateTimeOffset now)
    {
        while (pending.Count > 0 && pending[0].At <= now)
        {
            var (life, at, state) = pending[0];
            pending.RemoveAt(0);
            var runner = new Runner
            {
                Id = life.Id,
                Pool = "linux",
                Provider = "fake",
                IdempotencyKey = life.Id,
                Ordinal = life.Ordinal,
                State = state,
                StateSince = at,
                CreatedAt = life.Steps[0].At,
                Job = new JobKey("github", $"job-{life.Ordinal}"),
            };
            await store.InTransactionAsync((w, ct) => w.UpsertRunnerAsync(runner, "test", ct).ContinueWith(_ => true, ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default), CancellationToken.None);
        }
    }

    /// <summary>Seconds of billed states in a life up to <paramref name="end"/>, in all and by kind.</summary>
    private static (decimal Seconds, Dictionary<CostKind, decimal> ByKind) Billed(RunnerLife life, DateTimeOffset end)
    {
        var byKind = new Dictionary<CostKind, decimal>();
        for (var i = 0; i < life.Steps.Count; i++)
        {
            var from = life.Steps[i].At;
            var to = i + 1 < life.Steps.Count ? life.Steps[i + 1].At : end;
            to = to > end ? end : to;
            if (to > from && RunnerCosting.KindOf(life.Steps[i].State) is { } kind)
            {
                byKind[kind] = byKind.GetValueOrDefault(kind) + ((decimal)(to - from).Ticks / TimeSpan.TicksPerSecond);
            }
        }

        return (byKind.Values.Sum(), byKind);
    }

    /// <summary>A random but legal life: boot (or fail), idle and busy turns, then (mostly) deletion.</summary>
    private static RunnerLife Life(Random random, DateTimeOffset t0, int ordinal)
    {
        var at = t0 + TimeSpan.FromSeconds(random.Next(0, (int)Span.TotalSeconds * 2 / 3));
        var steps = new List<(DateTimeOffset, RunnerState)> { (at, RunnerState.Requested) };
        void Step(RunnerState state, int minSeconds, int maxSeconds)
        {
            at += TimeSpan.FromSeconds(random.Next(minSeconds, maxSeconds)) + TimeSpan.FromMilliseconds(random.Next(1000));
            steps.Add((at, state));
        }

        Step(RunnerState.Provisioning, 1, 20);
        if (random.Next(6) == 0)
        {
            Step(RunnerState.Failed, 5, 120);
            Step(RunnerState.Gone, 10, 300);
            return new RunnerLife($"drover-linux-{ordinal}", ordinal, steps);
        }

        Step(RunnerState.Registering, 10, 90);
        Step(RunnerState.Idle, 2, 30);
        for (var turns = random.Next(0, 4); turns > 0; turns--)
        {
            Step(RunnerState.Busy, 1, 600);
            Step(RunnerState.Idle, 30, 1800);
        }

        if (random.Next(4) > 0)
        {
            Step(RunnerState.Draining, 5, 600);
            Step(RunnerState.Gone, 1, 60);
        }

        return new RunnerLife($"drover-linux-{ordinal}", ordinal, steps);
    }

    private sealed record RunnerLife(string Id, long Ordinal, List<(DateTimeOffset At, RunnerState State)> Steps);

    /// <summary>A store that runs a hook after the next read of the runners to cost (all, or a batch), before the reader writes.</summary>
    public class HookedStore : DispatchProxy
    {
        private IStateStore _inner = null!;

        public Func<Task>? AfterListToCost { get; set; }

        public IStateStore Proxy { get; private set; } = null!;

        public static HookedStore Over(IStateStore inner)
        {
            var proxy = Create<IStateStore, HookedStore>();
            var hooked = (HookedStore)(object)proxy;
            hooked._inner = inner;
            hooked.Proxy = proxy;
            return hooked;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var result = targetMethod!.Invoke(_inner, args);
            if (targetMethod.Name is nameof(IStateStore.ListRunnersToCostAsync) or nameof(IStateStore.GetRunnersToCostAsync) && AfterListToCost is { } hook)
            {
                AfterListToCost = null;
                return ThenAsync((Task<IReadOnlyList<RunnerToCost>>)result!, hook);
            }

            return result;
        }

        private static async Task<IReadOnlyList<RunnerToCost>> ThenAsync(Task<IReadOnlyList<RunnerToCost>> read, Func<Task> hook)
        {
            var runners = await read.ConfigureAwait(false);
            await hook().ConfigureAwait(false);
            return runners;
        }
    }
}
