using Drover.Core.Demand;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Demand;

public sealed class JobLedgerTests
{
    private static readonly JobKey Key = new("github", "42");
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset QueuedTime = T0;
    private static readonly DateTimeOffset StartedTime = T0.AddMinutes(1);
    private static readonly DateTimeOffset FinishedTime = T0.AddMinutes(5);

    public static TheoryData<int[], JobEventKind> Permutations()
    {
        var data = new TheoryData<int[], JobEventKind>();
        int[][] orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        foreach (var terminal in new[] { JobEventKind.Completed, JobEventKind.Cancelled })
        {
            foreach (var order in orders)
            {
                data.Add(order, terminal);
            }
        }

        return data;
    }

    [Fact]
    public void Apply_EarlierTimesAfterThePhasesWereMeasured_TheWaitStaysAsMeasured_BeforeThemItMovesEarlier()
    {
        var ledger = new JobLedger();
        ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Queued, At = QueuedTime, ReceivedAt = QueuedTime.AddSeconds(2) });
        ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Started, At = StartedTime, RunnerName = "r1" });

        // Before the phases are measured, a better-informed start moves the start earlier.
        ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Started, At = StartedTime.AddSeconds(-1), RunnerName = "r1", RunId = 7 });
        Assert.Equal(StartedTime.AddSeconds(-1), ledger.Get(Key)!.StartedAt);
        var measured = ledger.AttachRunnerTimes(Key, new JobRunnerTimes { RunnerId = "r1", RequestedAt = QueuedTime.AddSeconds(3) })!;
        var phases = JobPhases.Of(measured)!;

        // After: neither an earlier start, creation nor receipt changes the wait the phases tile; other facts still merge.
        ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Started, At = StartedTime.AddSeconds(-2), RunnerName = "r1", Ref = "main" });
        ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Queued, At = QueuedTime.AddSeconds(-1), ReceivedAt = QueuedTime });
        ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Completed, At = FinishedTime });
        var job = ledger.Get(Key)!;
        Assert.Equal((QueuedTime, QueuedTime.AddSeconds(2), StartedTime.AddSeconds(-1)), (job.QueuedAt!.Value, job.KnownAt!.Value, job.StartedAt!.Value));
        Assert.Equal(phases, JobPhases.Of(job));
        Assert.Equal(("main", JobState.Completed), (job.Ref, job.State));
    }

    [Theory]
    [InlineData(JobRefKind.Branch, JobRefKind.PullRequest, JobRefKind.PullRequest)]
    [InlineData(JobRefKind.PullRequest, JobRefKind.Branch, JobRefKind.PullRequest)]
    [InlineData(JobRefKind.DefaultBranch, null, JobRefKind.DefaultBranch)]
    [InlineData(null, JobRefKind.Tag, JobRefKind.Tag)]
    [InlineData(JobRefKind.DefaultBranch, JobRefKind.Branch, JobRefKind.DefaultBranch)]
    public void Apply_RefKindsToldBySeveralSources_ThePreciseOneIsKeptInEitherOrder(JobRefKind? first, JobRefKind? second, JobRefKind? kept)
    {
        foreach (var (a, b) in new[] { (first, second), (second, first) })
        {
            var ledger = new JobLedger();
            ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Queued, At = QueuedTime, RefKind = a, Ref = "main" });
            ledger.Apply(new JobEvent { Key = Key, Kind = JobEventKind.Started, At = StartedTime, RefKind = b, Environment = "production" });

            var job = ledger.Get(Key)!;
            Assert.Equal((kept, "main", "production"), (job.RefKind, job.Ref, job.Environment));
        }
    }

    [Fact]
    public void Apply_FirstQueued_AddsWaitingJob()
    {
        var ledger = new JobLedger();

        var result = ledger.Apply(Queued("d1", labels: ["linux", "x64"]));

        Assert.Equal(LedgerApplyResult.Added, result);
        var job = Assert.Single(ledger.Waiting);
        Assert.Equal(Key, job.Key);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(["linux", "x64"], job.Labels);
        Assert.Equal("acme/app", job.Scope);
        Assert.Equal(7L, job.RunId);
        Assert.Equal(QueuedTime, job.QueuedAt);
        Assert.Equal(QueuedTime, job.LastEventAt);
        Assert.Null(job.StartedAt);
        Assert.Empty(ledger.Running);
        Assert.Equal(1, ledger.Count);
    }

    [Fact]
    public void Apply_SameDeliveryIdTwice_SecondIsDuplicate()
    {
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1"));
        ledger.Apply(Started("d2"));

        var result = ledger.Apply(Started("d2"));

        Assert.Equal(LedgerApplyResult.Duplicate, result);
        Assert.Equal(JobState.Running, ledger.Get(Key)!.State);
    }

    [Fact]
    public void Apply_SameDeliveryIdForOtherContent_IsDuplicateAndIgnored()
    {
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1"));

        var result = ledger.Apply(Completed("d1"));

        Assert.Equal(LedgerApplyResult.Duplicate, result);
        Assert.Equal(JobState.Queued, ledger.Get(Key)!.State);
    }

    [Fact]
    public void Apply_SecondQueuedWithNewDeliveryId_IsDuplicateByContent()
    {
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1", labels: ["linux"]));
        var before = JobSnapshot.Of(ledger);

        var result = ledger.Apply(Queued("d2", labels: ["linux"]));

        Assert.Equal(LedgerApplyResult.Duplicate, result);
        Assert.Equal(before, JobSnapshot.Of(ledger));
    }

    [Fact]
    public void Apply_EventsWithoutDeliveryId_DedupedByContent()
    {
        var ledger = new JobLedger();
        ledger.Apply(Started(null));

        var result = ledger.Apply(Started(null));

        Assert.Equal(LedgerApplyResult.Duplicate, result);
    }

    [Fact]
    public void Apply_LaterQueuedWithNothingNew_IsDuplicateButKeepsJobFresh()
    {
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1"));

        var result = ledger.Apply(Queued("d2") with { At = QueuedTime.AddMinutes(3) });

        Assert.Equal(LedgerApplyResult.Duplicate, result);
        var job = ledger.Get(Key)!;
        Assert.Equal(QueuedTime, job.QueuedAt);
        Assert.Equal(QueuedTime.AddMinutes(3), job.LastEventAt);
    }

    [Fact]
    public void Apply_DeliveryWindowFull_ForgetsOldestId()
    {
        var ledger = new JobLedger(deliveryIdCapacity: 2);
        ledger.Apply(Queued("d1"));
        ledger.Apply(Queued("d2") with { Key = new JobKey("github", "43") });
        ledger.Apply(Queued("d3") with { Key = new JobKey("github", "44") });

        // d1 fell out of the window, so an event reusing that id is no longer rejected by it; d3 is still remembered.
        Assert.Equal(LedgerApplyResult.Updated, ledger.Apply(Started("d1")));
        Assert.Equal(LedgerApplyResult.Duplicate, ledger.Apply(Started("d3")));
    }

    [Fact]
    public void Apply_InOrderLifecycle_AdvancesThroughStates()
    {
        var ledger = new JobLedger();

        Assert.Equal(LedgerApplyResult.Added, ledger.Apply(Queued("d1")));
        Assert.Equal(LedgerApplyResult.Updated, ledger.Apply(Started("d2")));
        Assert.Empty(ledger.Waiting);
        Assert.Single(ledger.Running);
        Assert.Equal(LedgerApplyResult.Updated, ledger.Apply(Completed("d3")));

        var job = ledger.Get(Key)!;
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(QueuedTime, job.QueuedAt);
        Assert.Equal(StartedTime, job.StartedAt);
        Assert.Equal(FinishedTime, job.FinishedAt);
        Assert.Equal("runner-1", job.RunnerName);
        Assert.True(job.IsFinished);
        Assert.Empty(ledger.Waiting);
        Assert.Empty(ledger.Running);
    }

    [Fact]
    public void Apply_QueuedAfterStarted_IsStaleButFillsQueueTime()
    {
        var ledger = new JobLedger();
        ledger.Apply(Started("d2"));

        var result = ledger.Apply(Queued("d1"));

        Assert.Equal(LedgerApplyResult.Stale, result);
        var job = ledger.Get(Key)!;
        Assert.Equal(JobState.Running, job.State);
        Assert.Equal(QueuedTime, job.QueuedAt);
        Assert.Empty(ledger.Waiting);
    }

    [Fact]
    public void Apply_StartedBeforeQueued_CreatesRunningJobWithoutQueueTime()
    {
        var ledger = new JobLedger();

        var result = ledger.Apply(Started("d2"));

        Assert.Equal(LedgerApplyResult.Added, result);
        var job = Assert.Single(ledger.Running);
        Assert.Null(job.QueuedAt);
        Assert.Equal(StartedTime, job.StartedAt);
        Assert.Equal("runner-1", job.RunnerName);
    }

    [Fact]
    public void Apply_StartedAfterCompleted_IsStale()
    {
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1"));
        ledger.Apply(Completed("d3"));

        var result = ledger.Apply(Started("d2"));

        Assert.Equal(LedgerApplyResult.Stale, result);
        Assert.Equal(JobState.Completed, ledger.Get(Key)!.State);
        Assert.Empty(ledger.Running);
    }

    [Theory]
    [InlineData(JobEventKind.Completed)]
    [InlineData(JobEventKind.Cancelled)]
    public void Apply_TerminalBeforeQueued_NeverResurrected(JobEventKind terminal)
    {
        var ledger = new JobLedger();
        Assert.Equal(LedgerApplyResult.Added, ledger.Apply(Finished("d3", terminal)));

        var result = ledger.Apply(Queued("d1"));

        Assert.Equal(LedgerApplyResult.Stale, result);
        Assert.Empty(ledger.Waiting);
        var job = ledger.Get(Key)!;
        Assert.Equal(terminal == JobEventKind.Completed ? JobState.Completed : JobState.Cancelled, job.State);
        Assert.Equal(QueuedTime, job.QueuedAt);
        Assert.Equal(FinishedTime, job.FinishedAt);
    }

    [Fact]
    public void Apply_CancelledAfterCompleted_FirstTerminalWins()
    {
        var ledger = new JobLedger();
        ledger.Apply(Completed("d3"));

        var result = ledger.Apply(Finished("d4", JobEventKind.Cancelled) with { At = FinishedTime.AddMinutes(1) });

        Assert.Equal(LedgerApplyResult.Stale, result);
        var job = ledger.Get(Key)!;
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(FinishedTime, job.FinishedAt);
    }

    [Theory]
    [MemberData(nameof(Permutations))]
    public void Apply_AnyOrderOfLifecycle_EndsInInOrderState(int[] order, JobEventKind terminal)
    {
        JobEvent[] events = [Queued("d1"), Started("d2"), Finished("d3", terminal)];
        var inOrder = new JobLedger();
        foreach (var e in events)
        {
            inOrder.Apply(e);
        }

        var shuffled = new JobLedger();
        foreach (var index in order)
        {
            shuffled.Apply(events[index]);
        }

        Assert.Equal(JobSnapshot.Of(inOrder), JobSnapshot.Of(shuffled));
        var job = shuffled.Get(Key)!;
        Assert.Equal(terminal == JobEventKind.Completed ? JobState.Completed : JobState.Cancelled, job.State);
        Assert.Equal(QueuedTime, job.QueuedAt);
        Assert.Equal(StartedTime, job.StartedAt);
        Assert.Equal(FinishedTime, job.FinishedAt);
        Assert.Equal(FinishedTime, job.LastEventAt);
        Assert.Equal("runner-1", job.RunnerName);
        Assert.Empty(shuffled.Waiting);
        Assert.Empty(shuffled.Running);
    }

    [Fact]
    public void Apply_LabelsMissingOnQueued_FilledByLaterEvent()
    {
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1", labels: []) with { Scope = null, RunId = null });

        var result = ledger.Apply(Queued("d1-api", labels: ["docker", "linux"]));

        Assert.Equal(LedgerApplyResult.Updated, result);
        var job = ledger.Get(Key)!;
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(["docker", "linux"], job.Labels);
        Assert.Equal("acme/app", job.Scope);
        Assert.Equal(7L, job.RunId);
    }

    [Fact]
    public void Apply_LabelsAlreadyKnown_KeptAgainstLaterEvents()
    {
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1", labels: ["linux"]));

        ledger.Apply(Started("d2") with { Labels = ["windows"] });

        Assert.Equal(["linux"], ledger.Get(Key)!.Labels);
    }

    [Fact]
    public void Apply_CallerMutatesLabelList_LedgerKeepsItsCopy()
    {
        var ledger = new JobLedger();
        var labels = new List<string> { "linux" };
        ledger.Apply(Queued("d1") with { Labels = labels });

        labels.Add("gpu");

        Assert.Equal(["linux"], ledger.Get(Key)!.Labels);
    }

    [Fact]
    public void ExpireStale_QueuedPastMaxAge_ExpiresOnlyThose()
    {
        var time = new FakeTimeProvider(T0);
        var ledger = new JobLedger();
        ledger.Apply(Queued("a") with { Key = new JobKey("github", "old"), At = time.GetUtcNow() });
        ledger.Apply(Started("b") with { Key = new JobKey("github", "running"), At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromMinutes(50));
        ledger.Apply(Queued("c") with { Key = new JobKey("github", "young"), At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromMinutes(11));

        var expired = ledger.ExpireStale(time.GetUtcNow(), TimeSpan.FromHours(1));

        Assert.Equal(1, expired);
        var old = ledger.Get(new JobKey("github", "old"))!;
        Assert.Equal(JobState.Expired, old.State);
        Assert.Equal(time.GetUtcNow(), old.FinishedAt);
        Assert.True(old.IsFinished);
        Assert.Equal("github/young", JobSnapshot.Keys(ledger.Waiting));
        Assert.Equal("github/running", JobSnapshot.Keys(ledger.Running));
    }

    [Fact]
    public void ExpireStale_ExactlyMaxAge_KeepsJob()
    {
        var time = new FakeTimeProvider(T0);
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1") with { At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, ledger.ExpireStale(time.GetUtcNow(), TimeSpan.FromHours(1)));
        Assert.Single(ledger.Waiting);
    }

    [Fact]
    public void ExpireStale_LaterEventForQueuedJob_RestartsTheClock()
    {
        var time = new FakeTimeProvider(T0);
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1") with { At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromMinutes(45));
        ledger.Apply(Queued("d1-poll") with { At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromMinutes(45));

        Assert.Equal(0, ledger.ExpireStale(time.GetUtcNow(), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Apply_QueuedAfterExpired_IsStaleAndStaysExpired()
    {
        var time = new FakeTimeProvider(T0);
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1") with { At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromHours(2));
        ledger.ExpireStale(time.GetUtcNow(), TimeSpan.FromHours(1));

        var result = ledger.Apply(Queued("d1-again") with { At = time.GetUtcNow() });

        Assert.Equal(LedgerApplyResult.Stale, result);
        Assert.Equal(JobState.Expired, ledger.Get(Key)!.State);
        Assert.Empty(ledger.Waiting);
    }

    [Fact]
    public void Apply_StartedAfterExpired_RevivesToRunning()
    {
        var time = new FakeTimeProvider(T0);
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1") with { At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromHours(2));
        ledger.ExpireStale(time.GetUtcNow(), TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromMinutes(1));

        var result = ledger.Apply(Started("d2") with { At = time.GetUtcNow() });

        Assert.Equal(LedgerApplyResult.Updated, result);
        var job = Assert.Single(ledger.Running);
        Assert.Equal(JobState.Running, job.State);
        Assert.Null(job.FinishedAt);
        Assert.Equal(T0, job.QueuedAt);
        Assert.Equal(time.GetUtcNow(), job.StartedAt);
    }

    [Fact]
    public void Apply_CompletedAfterExpired_FinishesAtEventTime()
    {
        var time = new FakeTimeProvider(T0);
        var ledger = new JobLedger();
        ledger.Apply(Queued("d1") with { At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromHours(2));
        ledger.ExpireStale(time.GetUtcNow(), TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromMinutes(1));

        var result = ledger.Apply(Completed("d3") with { At = time.GetUtcNow() });

        Assert.Equal(LedgerApplyResult.Updated, result);
        var job = ledger.Get(Key)!;
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(time.GetUtcNow(), job.FinishedAt);
    }

    [Fact]
    public void Prune_FinishedBeforeCutoff_DropsOnlyThose()
    {
        var time = new FakeTimeProvider(T0);
        var ledger = new JobLedger();
        ledger.Apply(Completed("a") with { Key = new JobKey("github", "tombstone"), At = time.GetUtcNow() });
        ledger.Apply(Queued("b") with { Key = new JobKey("github", "expired"), At = time.GetUtcNow() });
        ledger.Apply(Queued("c") with { Key = new JobKey("github", "done"), At = time.GetUtcNow() });
        ledger.Apply(Started("d") with { Key = new JobKey("github", "long-running"), At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromHours(2));
        ledger.ExpireStale(time.GetUtcNow(), TimeSpan.FromHours(1));
        ledger.Apply(Queued("e") with { Key = new JobKey("github", "waiting"), At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromMinutes(30));
        ledger.Apply(Completed("f") with { Key = new JobKey("github", "done"), At = time.GetUtcNow() });
        time.Advance(TimeSpan.FromMinutes(1));

        // Cutoff between the expiry (T0+2h) and the later completion (T0+2h30m).
        var dropped = ledger.Prune(T0.AddHours(2).AddMinutes(10));

        Assert.Equal(2, dropped);
        Assert.Null(ledger.Get(new JobKey("github", "tombstone")));
        Assert.Null(ledger.Get(new JobKey("github", "expired")));
        Assert.Equal(
            "github/done,github/long-running,github/waiting",
            JobSnapshot.Keys(ledger.Jobs));
        Assert.Equal(3, ledger.Count);
    }

    [Fact]
    public void Prune_TombstoneDropped_LateQueuedStartsNewEntry()
    {
        var ledger = new JobLedger();
        ledger.Apply(Completed("d3"));
        ledger.Prune(FinishedTime.AddTicks(1));

        var result = ledger.Apply(Queued("d1"));

        Assert.Equal(LedgerApplyResult.Added, result);
        Assert.Single(ledger.Waiting);
    }

    [Fact]
    public void Apply_TenThousandJobs_IndexesStayConsistent()
    {
        var ledger = new JobLedger();
        for (var i = 0; i < 10_000; i++)
        {
            var key = new JobKey("gitlab", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            ledger.Apply(Queued($"q{i}") with { Key = key });
            if (i % 2 == 0)
            {
                ledger.Apply(Started($"s{i}") with { Key = key });
            }

            if (i % 4 == 0)
            {
                ledger.Apply(Completed($"c{i}") with { Key = key });
            }
        }

        Assert.Equal(10_000, ledger.Count);
        Assert.Equal(5_000, ledger.Waiting.Count);
        Assert.Equal(2_500, ledger.Running.Count);
        Assert.All(ledger.Waiting, job => Assert.Equal(JobState.Queued, job.State));
        Assert.All(ledger.Running, job => Assert.Equal(JobState.Running, job.State));
        Assert.Equal(2_500, ledger.Prune(FinishedTime.AddTicks(1)));
    }

    private static JobEvent Queued(string? deliveryId, IReadOnlyList<string>? labels = null) => new()
    {
        Key = Key,
        Kind = JobEventKind.Queued,
        At = QueuedTime,
        Labels = labels ?? ["linux"],
        Scope = "acme/app",
        RunId = 7,
        DeliveryId = deliveryId,
    };

    private static JobEvent Started(string? deliveryId) => new()
    {
        Key = Key,
        Kind = JobEventKind.Started,
        At = StartedTime,
        Labels = ["linux"],
        Scope = "acme/app",
        RunId = 7,
        RunnerName = "runner-1",
        DeliveryId = deliveryId,
    };

    private static JobEvent Completed(string? deliveryId) => Finished(deliveryId, JobEventKind.Completed);

    private static JobEvent Finished(string? deliveryId, JobEventKind kind) => new()
    {
        Key = Key,
        Kind = kind,
        At = FinishedTime,
        Labels = ["linux"],
        Scope = "acme/app",
        RunId = 7,
        RunnerName = "runner-1",
        DeliveryId = deliveryId,
    };
}
