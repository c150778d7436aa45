using Drover.Core.Runners;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Runners;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 5)]
    [InlineData(3, 10)]
    [InlineData(4, 20)]
    [InlineData(5, 40)]
    [InlineData(6, 80)]
    [InlineData(7, 80)]
    [InlineData(100, 80)]
    [InlineData(int.MaxValue, 80)]
    public void DelayFor_Attempt_FollowsCappedSchedule(int attempt, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RetryBackoff.DelayFor(attempt));
    }

    [Fact]
    public void DelayFor_NegativeAttempt_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.DelayFor(-1));
    }

    [Fact]
    public void Schedule_Always_IsZeroFiveTenTwentyFortyEightySeconds()
    {
        Assert.Equal([0, 5, 10, 20, 40, 80], RetryBackoff.Schedule.Select(d => d.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(80), RetryBackoff.MaxDelay);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 5)]
    [InlineData(6, 80)]
    [InlineData(9, 80)]
    public void RetryAt_FailedRunner_IsFailureTimePlusDelay(int attempt, int expectedSeconds)
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        time.Advance(TimeSpan.FromMinutes(3));
        var failedAt = time.GetUtcNow();
        var failed = TestRunners.Make(RunnerState.Failed, failedAt, attempt);

        Assert.Equal(failedAt + TimeSpan.FromSeconds(expectedSeconds), RetryBackoff.RetryAt(failed));
    }

    [Fact]
    public void RetryAt_RunnerFailedThroughLifecycle_UsesIncrementedAttempt()
    {
        var time = new FakeTimeProvider(TestRunners.Start);
        var provisioning = TestRunners.Make(RunnerState.Provisioning, time.GetUtcNow(), attempt: 2);
        time.Advance(TimeSpan.FromSeconds(30));

        var failed = RunnerLifecycle.Transition(provisioning, RunnerState.Failed, time.GetUtcNow(), "quota exceeded").RunnerOrThrow();

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(10), RetryBackoff.RetryAt(failed));
    }

    [Theory]
    [InlineData(RunnerState.Requested)]
    [InlineData(RunnerState.Idle)]
    [InlineData(RunnerState.Draining)]
    [InlineData(RunnerState.Gone)]
    public void RetryAt_RunnerNotFailed_Throws(RunnerState state)
    {
        var runner = TestRunners.Make(state, TestRunners.Start, attempt: 1);

        var error = Assert.Throws<ArgumentException>(() => RetryBackoff.RetryAt(runner));
        Assert.Contains($"runner r-1 is {state}", error.Message, StringComparison.Ordinal);
    }
}
