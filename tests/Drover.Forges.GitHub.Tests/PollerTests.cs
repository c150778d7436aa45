using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Engine.Execution;
using Drover.Engine.Metrics;
using Drover.Forges.GitHub.Polling;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Server.Metrics;
using Drover.Testing.GitHub;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Forges.GitHub.Tests;

/// <summary>
/// The poller against answers it cannot fully use: a job record it cannot read is skipped (the rest of the answer
/// still counts), and jobs the lists never show are looked up a bounded number of times per poll, with growing delays.
/// </summary>
public sealed class PollerTests
{
    private static readonly PoolScope _repo = new(ScopeKind.Repository, "acme/api");

    [Fact]
    public async Task Poll_UnreadableJobRecord_IsSkippedAndCounted_TheOtherJobsAreStillReported()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        using var metrics = new EngineMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        using var forge = Create(emulator, metrics, TimeProvider.System);
        var jobs = emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.Zero), ("lint", ["linux"], TimeSpan.Zero), ("test", ["linux"], TimeSpan.Zero));
        emulator.Faults.UnreadableJobs[jobs[1]] = true;
        var events = new List<JobEvent>();

        var reported = await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);
        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);

        Assert.Equal(2, reported);
        Assert.Equal([jobs[0], jobs[2]], events.Select(e => long.Parse(e.Key.Id, CultureInfo.InvariantCulture)));
        Assert.Contains("drover_forge_poll_records_skipped_total{forge=\"github\"} 2", exporter.Render(), StringComparison.Ordinal);
        Assert.Null(forge.Poller.Backoff.FailingSince);
    }

    [Fact]
    public async Task Poll_AJobRestoredFromTheStore_WhoseCompletionWasMissed_IsLookedUpAndReportedCompleted()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        using var forge = Create(emulator, null, TimeProvider.System);
        var id = emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.Zero)).Single();
        // It ran and ended while no replica led: its webhooks were lost, and the lists (queued, in progress) no longer show it.
        var held = Assert.Single(emulator.Jobs());
        (held.Status, held.Conclusion) = ("completed", "success");
        var restored = new Job { Key = new JobKey("github", id.ToString(CultureInfo.InvariantCulture)), State = JobState.Queued, Scope = "acme/api", Labels = ["linux"], LastEventAt = DateTimeOffset.UtcNow };
        var events = new List<JobEvent>();

        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);
        Assert.Empty(events);

        forge.Resume([restored]);
        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);

        var e = Assert.Single(events);
        Assert.Equal((restored.Key, JobEventKind.Completed), (e.Key, e.Kind));
    }

    [Fact]
    public async Task Poll_UnreadableJobRecord_DoesNotStopThePollLoop()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        using var forge = Create(emulator, null, TimeProvider.System, TimeSpan.FromMilliseconds(50));
        var first = emulator.QueueRun("acme/api", ("bad", ["linux"], TimeSpan.Zero)).Single();
        emulator.Faults.UnreadableJobs[first] = true;
        var events = new System.Collections.Concurrent.ConcurrentQueue<JobEvent>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var loop = forge.Poller.RunAsync(events.Enqueue, stop.Token);

        // A job queued while the unreadable one keeps being listed still arrives.
        var later = emulator.QueueRun("acme/api", ("good", ["linux"], TimeSpan.Zero)).Single();
        await Drover.Testing.Eventually.ThatAsync(() => events.ToArray(), e => e.Any(x => x.Key.Id == later.ToString(CultureInfo.InvariantCulture)), "the readable job reported by the running poll");
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // Cancelled in the middle of a round rather than between two.
        }

        Assert.DoesNotContain(events, e => e.Key.Id == first.ToString(CultureInfo.InvariantCulture));
        Assert.Null(forge.Poller.Backoff.FailingSince);
    }

    [Fact]
    public async Task Poll_WatchedJobsMissingFromTheLists_AreLookedUpAtMostMaxLookupsPerPoll_AndNotAgainUntilTheirDelay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        using var forge = Create(emulator, null, time);
        // 100 waiting jobs reported by webhooks in a repository no pool polls: no list ever shows them.
        var other = emulator.QueueRun("acme/other", [.. Enumerable.Range(0, 100).Select(i => ($"job-{i}", new[] { "linux" }, TimeSpan.Zero))]);
        foreach (var id in other)
        {
            forge.Poller.Observe(new JobEvent { Key = new JobKey("github", id.ToString(CultureInfo.InvariantCulture)), Kind = JobEventKind.Queued, At = time.GetUtcNow(), Labels = ["linux"], Scope = "acme/other" });
        }

        var perPoll = new List<int>();
        for (var poll = 0; poll < 7; poll++)
        {
            var before = LookUps(emulator);
            await forge.Poller.PollOnceAsync(_ => { }, CancellationToken.None);
            perPoll.Add(LookUps(emulator) - before);
        }

        // 20 a poll until each was looked up once, then none until the first delay (one poll interval) is over.
        Assert.Equal([20, 20, 20, 20, 20, 0, 0], perPoll);
        Assert.Equal(100, forge.Poller.Tracked);
        time.Advance(TimeSpan.FromSeconds(60));
        var again = LookUps(emulator);
        await forge.Poller.PollOnceAsync(_ => { }, CancellationToken.None);
        Assert.Equal(20, LookUps(emulator) - again);

        // A job that ends is learnt at its next look-up and then forgotten.
        var ended = emulator.Jobs().Single(j => j.Id == other[^1]);
        ended.Status = "completed";
        ended.Conclusion = "success";
        ended.CompletedAt = time.GetUtcNow();
        var events = new List<JobEvent>();
        for (var poll = 0; poll < 5; poll++)
        {
            await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);
        }

        Assert.Equal(JobEventKind.Completed, Assert.Single(events).Kind);
        Assert.Equal(99, forge.Poller.Tracked);

        // Delays double: after the second look-up of each, the next waits two intervals.
        time.Advance(TimeSpan.FromSeconds(60));
        var afterOne = LookUps(emulator);
        await forge.Poller.PollOnceAsync(_ => { }, CancellationToken.None);
        Assert.Equal(0, LookUps(emulator) - afterOne);
    }

    [Fact]
    public async Task Poll_WatchedJobUnreadableOnLookUp_DoesNotFailThePoll_AndWaitsItsDelay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        using var forge = Create(emulator, null, time);
        var watched = emulator.QueueRun("acme/other", ("job", ["linux"], TimeSpan.Zero)).Single();
        forge.Poller.Observe(new JobEvent { Key = new JobKey("github", watched.ToString(CultureInfo.InvariantCulture)), Kind = JobEventKind.Queued, At = time.GetUtcNow(), Labels = ["linux"], Scope = "acme/other" });
        var listed = emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.Zero)).Single();
        await forge.Poller.PollOnceAsync(_ => { }, CancellationToken.None);
        emulator.QueueRun("acme/api", ("test", ["linux"], TimeSpan.Zero));
        emulator.Faults.UnreadableJobs[watched] = true;

        var events = new List<JobEvent>();
        var reported = await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);
        var lookUps = LookUps(emulator);
        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);

        Assert.Equal(1, reported);
        Assert.NotEqual(listed.ToString(CultureInfo.InvariantCulture), Assert.Single(events).Key.Id);
        Assert.Equal(lookUps, LookUps(emulator));
        Assert.Equal(3, forge.Poller.Tracked);
    }

    [Fact]
    public async Task Create_ForgeWithPollInterval_PollsAtThatIntervalOverTheHostDefault()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        var config = TestForges.Forge(emulator.ApiUrl) with { PollInterval = TimeSpan.FromSeconds(10) };
        var context = new AdapterContext(TestForges.Fleet(config, TestForges.Pool("linux", _repo, ["linux"])), new RunnerCredentialVault(), TimeProvider.System, NullLoggerFactory.Instance);

        using var forge = GitHubForgeFactory.Create(config, context, GitHubForgeOptions.Default with { Environment = n => TestForges.Environment.GetValueOrDefault(n) });
        using var byDefault = Create(emulator, null, TimeProvider.System);

        Assert.Equal(TimeSpan.FromSeconds(10), forge.Poller.Interval);
        Assert.Equal(TimeSpan.FromSeconds(60), byDefault.Poller.Interval);
    }

    private static int LookUps(GitHubEmulator emulator) => emulator.Requests.Count(r => r.Contains("/actions/jobs/", StringComparison.Ordinal));

    private static GitHubForge Create(GitHubEmulator emulator, EngineMetrics? metrics, TimeProvider time, TimeSpan? interval = null)
    {
        var config = TestForges.Forge(emulator.ApiUrl);
        var fleet = TestForges.Fleet(config, TestForges.Pool("linux", _repo, ["linux"]));
        var context = new AdapterContext(fleet, new RunnerCredentialVault(), time, NullLoggerFactory.Instance) { Metrics = metrics };
        return GitHubForgeFactory.Create(config, context, GitHubForgeOptions.Default with
        {
            Environment = n => TestForges.Environment.GetValueOrDefault(n),
            PollInterval = interval ?? TimeSpan.FromSeconds(60),
        });
    }
}
