using Drover.Core.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Resilience;

public sealed class CircuitBreakerTests
{
    private static readonly DateTimeOffset _start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly CircuitBreakerOptions _options = CircuitBreakerOptions.Default;

    private readonly FakeTimeProvider _time = new(_start);

    [Fact]
    public void RecordFailure_FourConsecutive_StaysClosed()
    {
        var state = Fail(CircuitBreakerState.Closed, 4);

        Assert.Equal(BreakerStatus.Closed, state.Status);
        Assert.Equal(4, state.ConsecutiveFailures);
        Assert.Null(state.OpenedAt);
        Assert.Equal(BreakerStatus.Closed, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void RecordFailure_FiveConsecutive_OpensAtTheFifth()
    {
        var state = Fail(CircuitBreakerState.Closed, 4);
        _time.Advance(TimeSpan.FromSeconds(3));
        var fifthAt = _time.GetUtcNow();

        state = CircuitBreaker.RecordFailure(state, fifthAt, _options);

        Assert.Equal(BreakerStatus.Open, state.Status);
        Assert.Equal(fifthAt, state.OpenedAt);
        Assert.Equal(5, state.ConsecutiveFailures);
        Assert.Equal(BreakerStatus.Open, CircuitBreaker.Current(state, fifthAt, _options));
    }

    [Fact]
    public void RecordSuccess_BetweenFailures_ResetsTheCount()
    {
        var state = Fail(CircuitBreakerState.Closed, 4);
        state = CircuitBreaker.RecordSuccess(state, _time.GetUtcNow(), _options);
        Assert.Equal(CircuitBreakerState.Closed, state);

        state = Fail(state, 4);
        Assert.Equal(BreakerStatus.Closed, state.Status);

        state = Fail(state, 1);
        Assert.Equal(BreakerStatus.Open, state.Status);
    }

    [Fact]
    public void Current_OpenBeforeCoolDown_StaysOpen()
    {
        var state = Fail(CircuitBreakerState.Closed, 5);
        _time.Advance(_options.CoolDown - TimeSpan.FromTicks(1));

        Assert.Equal(BreakerStatus.Open, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void Current_OpenAtCoolDown_IsHalfOpen()
    {
        var state = Fail(CircuitBreakerState.Closed, 5);
        _time.Advance(_options.CoolDown);

        Assert.Equal(BreakerStatus.HalfOpen, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
        Assert.Equal(_time.GetUtcNow(), CircuitBreaker.HalfOpensAt(state, _options));
    }

    [Fact]
    public void HalfOpensAt_StoredHalfOpen_IsEndOfCoolDown()
    {
        var state = CircuitBreaker.RecordSuccess(HalfOpen(), _time.GetUtcNow(), _options);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(BreakerStatus.HalfOpen, state.Status);
        Assert.Equal(_start + _options.CoolDown, CircuitBreaker.HalfOpensAt(state, _options));
        Assert.Null(CircuitBreaker.HalfOpensAt(CircuitBreakerState.Closed, _options));
    }

    [Fact]
    public void Current_OpenWithoutOpenedAt_IsHalfOpen()
    {
        var state = new CircuitBreakerState { Status = BreakerStatus.Open, ConsecutiveFailures = 5 };

        Assert.Equal(BreakerStatus.HalfOpen, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void RecordSuccess_OnceInHalfOpen_StaysHalfOpen()
    {
        var state = HalfOpen();

        state = CircuitBreaker.RecordSuccess(state, _time.GetUtcNow(), _options);

        Assert.Equal(BreakerStatus.HalfOpen, state.Status);
        Assert.Equal(1, state.HalfOpenSuccesses);
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Equal(_start, state.OpenedAt);
        Assert.Equal(BreakerStatus.HalfOpen, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void RecordSuccess_TwiceInHalfOpen_ClosesWithCountersReset()
    {
        var state = HalfOpen();

        state = CircuitBreaker.RecordSuccess(state, _time.GetUtcNow(), _options);
        _time.Advance(TimeSpan.FromSeconds(10));
        state = CircuitBreaker.RecordSuccess(state, _time.GetUtcNow(), _options);

        Assert.Equal(CircuitBreakerState.Closed, state);
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Equal(0, state.HalfOpenSuccesses);
        Assert.Null(state.OpenedAt);
    }

    [Fact]
    public void RecordFailure_InHalfOpen_ReopensFromNow()
    {
        var state = HalfOpen();
        _time.Advance(TimeSpan.FromSeconds(2));
        var failedAt = _time.GetUtcNow();

        state = CircuitBreaker.RecordFailure(state, failedAt, _options);

        Assert.Equal(BreakerStatus.Open, state.Status);
        Assert.Equal(failedAt, state.OpenedAt);
        Assert.Equal(6, state.ConsecutiveFailures);
        _time.Advance(_options.CoolDown - TimeSpan.FromTicks(1));
        Assert.Equal(BreakerStatus.Open, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(BreakerStatus.HalfOpen, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void RecordFailure_InHalfOpenAfterOneSuccess_ReopensWithSuccessesCleared()
    {
        var state = CircuitBreaker.RecordSuccess(HalfOpen(), _time.GetUtcNow(), _options);

        state = CircuitBreaker.RecordFailure(state, _time.GetUtcNow(), _options);

        Assert.Equal(BreakerStatus.Open, state.Status);
        Assert.Equal(_time.GetUtcNow(), state.OpenedAt);
        Assert.Equal(0, state.HalfOpenSuccesses);
        Assert.Equal(1, state.ConsecutiveFailures);
    }

    [Fact]
    public void RecordOutcome_WhileOpen_ChangesNothing()
    {
        var open = Fail(CircuitBreakerState.Closed, 5);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Same(open, CircuitBreaker.RecordFailure(open, _time.GetUtcNow(), _options));
        Assert.Same(open, CircuitBreaker.RecordSuccess(open, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void AllowedCreates_Closed_IsUnlimited()
    {
        Assert.Null(CircuitBreaker.AllowedCreates(CircuitBreakerState.Closed, _time.GetUtcNow(), _options));
        Assert.Null(CircuitBreaker.AllowedCreates(Fail(CircuitBreakerState.Closed, 4), _time.GetUtcNow(), _options));
    }

    [Fact]
    public void AllowedCreates_Open_IsZero()
    {
        var state = Fail(CircuitBreakerState.Closed, 5);
        _time.Advance(TimeSpan.FromSeconds(59));

        Assert.Equal(0, CircuitBreaker.AllowedCreates(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void AllowedCreates_HalfOpen_IsOneProbe()
    {
        var state = HalfOpen();
        Assert.Equal(1, CircuitBreaker.AllowedCreates(state, _time.GetUtcNow(), _options));

        state = CircuitBreaker.RecordSuccess(state, _time.GetUtcNow(), _options);
        Assert.Equal(1, CircuitBreaker.AllowedCreates(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void Describe_Closed_SaysClosed()
    {
        Assert.Equal("closed", CircuitBreaker.Describe(CircuitBreakerState.Closed, _time.GetUtcNow(), _options));
        Assert.Equal(
            "closed, 1 consecutive failure of 5 to open",
            CircuitBreaker.Describe(Fail(CircuitBreakerState.Closed, 1), _time.GetUtcNow(), _options));
    }

    [Fact]
    public void Describe_Open_SaysUntilWhenAndWhy()
    {
        _time.Advance(new TimeSpan(0, 2, 10));
        var state = Fail(CircuitBreakerState.Closed, 5);

        Assert.Equal("open until 12:03:10Z after 5 consecutive failures", CircuitBreaker.Describe(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void Describe_OpenedAtWithOffset_PrintsUtc()
    {
        var state = new CircuitBreakerState
        {
            Status = BreakerStatus.Open,
            OpenedAt = new DateTimeOffset(2026, 11, 23, 14, 2, 10, TimeSpan.FromHours(2)),
            ConsecutiveFailures = 5,
        };

        Assert.Equal("open until 12:03:10Z after 5 consecutive failures", CircuitBreaker.Describe(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void Describe_HalfOpen_SaysProbesAndProgress()
    {
        var state = CircuitBreaker.RecordSuccess(HalfOpen(), _time.GetUtcNow(), _options);

        Assert.Equal(
            "half-open since 12:01:00Z: 1 probe at a time, 1 of 2 successes to close",
            CircuitBreaker.Describe(state, _time.GetUtcNow(), _options));
    }

    [Fact]
    public void RecordFailure_ThresholdOne_OpensOnFirstFailure()
    {
        var options = new CircuitBreakerOptions { FailureThreshold = 1, SuccessesToClose = 1, CoolDown = TimeSpan.FromSeconds(5) };

        var state = CircuitBreaker.RecordFailure(CircuitBreakerState.Closed, _time.GetUtcNow(), options);
        Assert.Equal(BreakerStatus.Open, state.Status);

        _time.Advance(TimeSpan.FromSeconds(5));
        state = CircuitBreaker.RecordSuccess(state, _time.GetUtcNow(), options);
        Assert.Equal(CircuitBreakerState.Closed, state);
    }

    [Theory]
    [InlineData(0, 2, 60)]
    [InlineData(5, 0, 60)]
    [InlineData(5, 2, -1)]
    public void Current_InvalidOptions_Throws(int threshold, int successesToClose, int coolDownSeconds)
    {
        var options = new CircuitBreakerOptions
        {
            FailureThreshold = threshold,
            SuccessesToClose = successesToClose,
            CoolDown = TimeSpan.FromSeconds(coolDownSeconds),
        };

        Assert.Throws<ArgumentOutOfRangeException>(() => CircuitBreaker.Current(CircuitBreakerState.Closed, _start, options));
    }

    private CircuitBreakerState Fail(CircuitBreakerState state, int times)
    {
        for (var i = 0; i < times; i++)
        {
            state = CircuitBreaker.RecordFailure(state, _time.GetUtcNow(), _options);
        }

        return state;
    }

    /// <summary>Opens the breaker at the current time and advances exactly one cool-down.</summary>
    private CircuitBreakerState HalfOpen()
    {
        var state = Fail(CircuitBreakerState.Closed, 5);
        _time.Advance(_options.CoolDown);
        Assert.Equal(BreakerStatus.HalfOpen, CircuitBreaker.Current(state, _time.GetUtcNow(), _options));
        return state;
    }
}
