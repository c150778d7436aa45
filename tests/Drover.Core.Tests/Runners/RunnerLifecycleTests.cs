using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Runners;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Runners;

public sealed class RunnerLifecycleTests
{
    // The expected transition table, written out independently of the implementation.
    // Row: from; column: to, in the enum's order. Y = legal (the diagonal is the accepted no-op), . = illegal.
    private static readonly string[] _expectedTable =
    [
        //             Req Prov Reg Idle Busy Drain Gone Fail
        "Requested    | Y   Y    .   .    .    Y     Y    Y",
        "Provisioning | .   Y    Y   .    .    Y     .    Y",
        "Registering  | .   .    Y   Y    Y    Y     .    Y",
        "Idle         | .   .    .   Y    Y    Y     .    Y",
        "Busy         | .   .    .   Y    Y    Y     Y    Y",
        "Draining     | .   .    .   .    .    Y     Y    Y",
        "Gone         | .   .    .   .    .    .     Y    .",
        "Failed       | .   .    .   .    .    Y     Y    Y",
    ];

    private static readonly PoolConfig _pool = new() { Name = "linux", Forge = "github", Scope = new PoolScope(ScopeKind.Organization, "acme"), Provider = "local" };

    public static TheoryData<RunnerState, RunnerState, bool> AllPairs()
    {
        var data = new TheoryData<RunnerState, RunnerState, bool>();
        var states = Enum.GetValues<RunnerState>();
        foreach (var row in _expectedTable)
        {
            var parts = row.Split('|');
            var from = Enum.Parse<RunnerState>(parts[0].Trim());
            var cells = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < states.Length; i++)
            {
                data.Add(from, states[i], cells[i] == "Y");
            }
        }

        return data;
    }

    [Fact]
    public void ExpectedTable_Always_CoversEveryStatePair()
    {
        var states = Enum.GetValues<RunnerState>();
        Assert.Equal(states.Length, _expectedTable.Length);
        Assert.Equal(states, _expectedTable.Select(r => Enum.Parse<RunnerState>(r.Split('|')[0].Trim())));
        Assert.All(_expectedTable, r => Assert.Equal(states.Length, r.Split('|')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
        Assert.Equal(states.Length * states.Length, AllPairs().Count());
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanTransition_AnyPair_MatchesExpectedTable(RunnerState from, RunnerState to, bool legal)
    {
        Assert.Equal(legal, RunnerLifecycle.CanTransition(from, to));
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Transition_AnyPair_AcceptsLegalAndRejectsIllegal(RunnerState from, RunnerState to, bool legal)
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var runner = TestRunners.Make(from, time.GetUtcNow(), id: "r-42");
        time.Advance(TimeSpan.FromSeconds(7));

        var result = RunnerLifecycle.Transition(runner, to, time.GetUtcNow());

        Assert.Equal(from, result.From);
        Assert.Equal(to, result.To);
        if (legal)
        {
            Assert.True(result.IsAccepted);
            Assert.Null(result.Error);
            Assert.Equal(to, result.Runner.State);
            Assert.Equal(from != to, result.Changed);
        }
        else
        {
            Assert.False(result.IsAccepted);
            Assert.False(result.Changed);
            Assert.Equal($"illegal transition {from} -> {to} for runner r-42", result.Error);
            Assert.Same(runner, result.Runner);
        }
    }

    [Fact]
    public void Transition_IdleToProvisioning_RejectsWithMessage()
    {
        var runner = TestRunners.Make(RunnerState.Idle, TestRunners.Start, id: "X");

        var result = RunnerLifecycle.Transition(runner, RunnerState.Provisioning, TestRunners.Start);

        Assert.Equal("illegal transition Idle -> Provisioning for runner X", result.Error);
        var error = Assert.Throws<InvalidOperationException>(() => result.RunnerOrThrow());
        Assert.Equal(result.Error, error.Message);
    }

    [Fact]
    public void Transition_ToNewState_SetsStateSinceToNow()
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var runner = TestRunners.Make(RunnerState.Requested, time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(42));

        var next = RunnerLifecycle.Transition(runner, RunnerState.Provisioning, time.GetUtcNow()).RunnerOrThrow();

        Assert.Equal(RunnerState.Provisioning, next.State);
        Assert.Equal(time.GetUtcNow(), next.StateSince);
        Assert.Equal(runner.CreatedAt, next.CreatedAt);
        Assert.Equal(runner with { State = RunnerState.Provisioning, StateSince = time.GetUtcNow(), ProvisionedAt = time.GetUtcNow() }, next);
    }

    [Theory]
    [InlineData(RunnerState.Requested)]
    [InlineData(RunnerState.Provisioning)]
    [InlineData(RunnerState.Registering)]
    [InlineData(RunnerState.Idle)]
    [InlineData(RunnerState.Busy)]
    [InlineData(RunnerState.Draining)]
    [InlineData(RunnerState.Gone)]
    [InlineData(RunnerState.Failed)]
    public void Transition_SameState_IsNoOpKeepingStateSince(RunnerState state)
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var runner = TestRunners.Make(state, time.GetUtcNow(), attempt: 2);
        time.Advance(TimeSpan.FromMinutes(1));

        var result = RunnerLifecycle.Transition(runner, state, time.GetUtcNow(), "again");

        Assert.True(result.IsAccepted);
        Assert.False(result.Changed);
        Assert.Same(runner, result.Runner);
    }

    [Theory]
    [InlineData(RunnerState.Requested, 0, 1)]
    [InlineData(RunnerState.Provisioning, 1, 2)]
    [InlineData(RunnerState.Registering, 5, 6)]
    [InlineData(RunnerState.Idle, 0, 1)]
    [InlineData(RunnerState.Busy, 0, 1)]
    [InlineData(RunnerState.Draining, 3, 4)]
    public void Transition_ToFailed_IncrementsAttemptAndStoresReason(RunnerState from, int attempt, int expectedAttempt)
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var runner = TestRunners.Make(from, time.GetUtcNow(), attempt);
        time.Advance(TimeSpan.FromSeconds(90));

        var failed = RunnerLifecycle.Transition(runner, RunnerState.Failed, time.GetUtcNow(), "instance terminated").RunnerOrThrow();

        Assert.Equal(RunnerState.Failed, failed.State);
        Assert.Equal(expectedAttempt, failed.Attempt);
        Assert.Equal("instance terminated", failed.FailureReason);
        Assert.Equal(time.GetUtcNow(), failed.StateSince);
    }

    [Theory]
    [InlineData(RunnerState.Idle)]
    [InlineData(RunnerState.Busy)]
    public void Transition_RegisteringToReady_ResetsAttemptAndFailureReason(RunnerState to)
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var runner = TestRunners.Make(RunnerState.Registering, time.GetUtcNow(), attempt: 3) with { FailureReason = "boot timed out" };
        time.Advance(TimeSpan.FromSeconds(20));

        var ready = RunnerLifecycle.Transition(runner, to, time.GetUtcNow()).RunnerOrThrow();

        Assert.Equal(0, ready.Attempt);
        Assert.Null(ready.FailureReason);
    }

    [Theory]
    [InlineData(RunnerState.Requested, RunnerState.Provisioning)]
    [InlineData(RunnerState.Provisioning, RunnerState.Registering)]
    [InlineData(RunnerState.Registering, RunnerState.Draining)]
    [InlineData(RunnerState.Failed, RunnerState.Draining)]
    [InlineData(RunnerState.Draining, RunnerState.Gone)]
    public void Transition_NeitherFailingNorRegistering_KeepsAttempt(RunnerState from, RunnerState to)
    {
        var runner = TestRunners.Make(from, TestRunners.Start, attempt: 2) with { FailureReason = "earlier failure" };

        var next = RunnerLifecycle.Transition(runner, to, TestRunners.Start.AddSeconds(1)).RunnerOrThrow();

        Assert.Equal(2, next.Attempt);
        Assert.Equal("earlier failure", next.FailureReason);
    }

    [Fact]
    public void Transition_BusyToIdle_ClearsJob()
    {
        var runner = TestRunners.Make(RunnerState.Busy, TestRunners.Start) with { Job = new JobKey("github", "123") };

        var idle = RunnerLifecycle.Transition(runner, RunnerState.Idle, TestRunners.Start.AddMinutes(4)).RunnerOrThrow();

        Assert.Null(idle.Job);
    }

    [Fact]
    public void Transition_BusyToGone_KeepsJob()
    {
        var job = new JobKey("github", "123");
        var runner = TestRunners.Make(RunnerState.Busy, TestRunners.Start) with { Job = job };

        var gone = RunnerLifecycle.Transition(runner, RunnerState.Gone, TestRunners.Start.AddMinutes(4)).RunnerOrThrow();

        Assert.Equal(job, gone.Job);
    }

    [Fact]
    public void Transition_FullEphemeralLife_EndsGoneWithStateSinceOfLastStep()
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var runner = TestRunners.Make(RunnerState.Requested, time.GetUtcNow());
        foreach (var next in new[] { RunnerState.Provisioning, RunnerState.Registering, RunnerState.Idle, RunnerState.Busy, RunnerState.Gone })
        {
            time.Advance(TimeSpan.FromSeconds(15));
            runner = RunnerLifecycle.Transition(runner, next, time.GetUtcNow()).RunnerOrThrow();
        }

        Assert.Equal(RunnerState.Gone, runner.State);
        Assert.Equal(TestRunners.Start.AddSeconds(75), runner.StateSince);
    }

    [Theory]
    [InlineData(RunnerState.Requested, 2 * 60)]
    [InlineData(RunnerState.Provisioning, 10 * 60)]
    [InlineData(RunnerState.Registering, 10 * 60)]
    [InlineData(RunnerState.Idle, 5 * 60)]
    [InlineData(RunnerState.Busy, 24 * 3600)]
    [InlineData(RunnerState.Draining, 10 * 60)]
    [InlineData(RunnerState.Failed, 0)]
    public void TimeoutFor_DefaultPool_ReturnsDefaultTimeout(RunnerState state, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RunnerLifecycle.TimeoutFor(state, _pool));
    }

    [Fact]
    public void TimeoutFor_Gone_IsNull()
    {
        Assert.Null(RunnerLifecycle.TimeoutFor(RunnerState.Gone, _pool));
        Assert.Null(RunnerLifecycle.TimeoutFor(TestRunners.Make(RunnerState.Gone, TestRunners.Start), _pool));
    }

    [Fact]
    public void TimeoutFor_CustomPool_ReadsEachSetting()
    {
        var pool = _pool with
        {
            IdleTimeout = TimeSpan.FromMinutes(30),
            Timeouts = new RunnerTimeouts
            {
                Requested = TimeSpan.FromSeconds(11),
                Provisioning = TimeSpan.FromSeconds(12),
                Registering = TimeSpan.FromSeconds(13),
                Busy = TimeSpan.FromSeconds(14),
                Draining = TimeSpan.FromSeconds(15),
            },
        };

        Assert.Equal(TimeSpan.FromSeconds(11), RunnerLifecycle.TimeoutFor(RunnerState.Requested, pool));
        Assert.Equal(TimeSpan.FromSeconds(12), RunnerLifecycle.TimeoutFor(RunnerState.Provisioning, pool));
        Assert.Equal(TimeSpan.FromSeconds(13), RunnerLifecycle.TimeoutFor(RunnerState.Registering, pool));
        Assert.Equal(TimeSpan.FromMinutes(30), RunnerLifecycle.TimeoutFor(RunnerState.Idle, pool));
        Assert.Equal(TimeSpan.FromSeconds(14), RunnerLifecycle.TimeoutFor(RunnerState.Busy, pool));
        Assert.Equal(TimeSpan.FromSeconds(15), RunnerLifecycle.TimeoutFor(RunnerState.Draining, pool));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 5)]
    [InlineData(4, 20)]
    [InlineData(6, 80)]
    [InlineData(12, 80)]
    public void TimeoutFor_FailedRunner_IsBackoffForItsAttempt(int attempt, int expectedSeconds)
    {
        var failed = TestRunners.Make(RunnerState.Failed, TestRunners.Start, attempt);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RunnerLifecycle.TimeoutFor(failed, _pool));
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RunnerLifecycle.TimeoutFor(RunnerState.Failed, _pool, attempt));
    }

    [Theory]
    [InlineData(RunnerState.Requested)]
    [InlineData(RunnerState.Provisioning)]
    [InlineData(RunnerState.Registering)]
    [InlineData(RunnerState.Idle)]
    [InlineData(RunnerState.Busy)]
    [InlineData(RunnerState.Draining)]
    [InlineData(RunnerState.Failed)]
    public void IsPastTimeout_AroundDeadline_TrueFromTheDeadlineOn(RunnerState state)
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var runner = TestRunners.Make(state, time.GetUtcNow(), attempt: 3);
        var timeout = RunnerLifecycle.TimeoutFor(runner, _pool)!.Value;

        time.Advance(timeout - TimeSpan.FromTicks(1));
        Assert.False(RunnerLifecycle.IsPastTimeout(runner, _pool, time.GetUtcNow()));

        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(RunnerLifecycle.IsPastTimeout(runner, _pool, time.GetUtcNow()));
        Assert.Equal(time.GetUtcNow(), RunnerLifecycle.DeadlineFor(runner, _pool));
    }

    [Fact]
    public void IsPastTimeout_Gone_NeverTrue()
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var gone = TestRunners.Make(RunnerState.Gone, time.GetUtcNow());
        time.Advance(TimeSpan.FromDays(3650));

        Assert.False(RunnerLifecycle.IsPastTimeout(gone, _pool, time.GetUtcNow()));
        Assert.Null(RunnerLifecycle.DeadlineFor(gone, _pool));
    }

    [Fact]
    public void IsPastTimeout_FailedRunner_AgreesWithRetryAt()
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var failed = TestRunners.Make(RunnerState.Failed, time.GetUtcNow(), attempt: 2);

        Assert.Equal(RetryBackoff.RetryAt(failed), RunnerLifecycle.DeadlineFor(failed, _pool));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(RunnerLifecycle.IsPastTimeout(failed, _pool, time.GetUtcNow()));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(RunnerLifecycle.IsPastTimeout(failed, _pool, time.GetUtcNow()));
    }

    [Fact]
    public void DeadlineFor_HugeTimeout_CapsAtMaxValue()
    {
        var pool = _pool with { Timeouts = new RunnerTimeouts { Busy = TimeSpan.MaxValue } };
        var busy = TestRunners.Make(RunnerState.Busy, TestRunners.Start);

        Assert.Equal(DateTimeOffset.MaxValue, RunnerLifecycle.DeadlineFor(busy, pool));
        Assert.False(RunnerLifecycle.IsPastTimeout(busy, pool, TestRunners.Start.AddYears(100)));
    }

    [Fact]
    public void IsPastMaxLifetime_NoLimit_NeverTrue()
    {
        var idle = TestRunners.Make(RunnerState.Idle, TestRunners.Start);

        Assert.False(RunnerLifecycle.IsPastMaxLifetime(idle, _pool, TestRunners.Start.AddDays(365)));
    }

    [Fact]
    public void IsPastMaxLifetime_OlderThanLimit_TrueCountedFromCreation()
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var pool = _pool with { MaxLifetime = TimeSpan.FromHours(2) };
        var idle = TestRunners.Make(RunnerState.Idle, time.GetUtcNow()) with { StateSince = time.GetUtcNow().AddHours(1) };

        time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.False(RunnerLifecycle.IsPastMaxLifetime(idle, pool, time.GetUtcNow()));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(RunnerLifecycle.IsPastMaxLifetime(idle, pool, time.GetUtcNow()));
    }
}
