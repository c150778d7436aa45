using CsCheck;
using Drover.Core.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Resilience;

public sealed class CircuitBreakerPropertyTests
{
    private static readonly DateTimeOffset _start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<CircuitBreakerOptions> _genOptions =
        Gen.Select(Gen.Int[1, 6], Gen.Int[1, 3], Gen.Int[0, 120], (threshold, successes, coolDown) => new CircuitBreakerOptions
        {
            FailureThreshold = threshold,
            SuccessesToClose = successes,
            CoolDown = TimeSpan.FromSeconds(coolDown),
        });

    // One event: a create outcome (failures three times as likely, so the breaker opens often) after some seconds pass.
    private static readonly Gen<(bool Success, int AdvanceSeconds)> _genEvent =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 90], (outcome, seconds) => (outcome == 0, seconds));

    [Fact]
    public void RecordOutcomes_AnySequence_NeverAllowCreatesWhileOpenAndStayConsistent()
    {
        Gen.Select(_genOptions, _genEvent.Array[0, 80]).Sample((options, events) =>
        {
            var time = new FakeTimeProvider(_start);
            var state = CircuitBreakerState.Closed;
            foreach (var (success, advanceSeconds) in events)
            {
                time.Advance(TimeSpan.FromSeconds(advanceSeconds));
                AssertNoCreatesWhileCoolingDown(state, time.GetUtcNow(), options);

                var before = state;
                var now = time.GetUtcNow();
                state = success ? CircuitBreaker.RecordSuccess(state, now, options) : CircuitBreaker.RecordFailure(state, now, options);

                AssertConsistent(state, options);
                AssertNoCreatesWhileCoolingDown(state, now, options);
                if (state.Status == BreakerStatus.Open && state.OpenedAt != before.OpenedAt)
                {
                    // Only a failure opens the breaker, and it opens at the moment of that failure.
                    Assert.False(success);
                    Assert.Equal(now, state.OpenedAt);
                }
            }
        }, iter: 2_000);
    }

    private static void AssertNoCreatesWhileCoolingDown(CircuitBreakerState state, DateTimeOffset now, CircuitBreakerOptions options)
    {
        var allowed = CircuitBreaker.AllowedCreates(state, now, options);
        var current = CircuitBreaker.Current(state, now, options);
        if (state is { Status: BreakerStatus.Open, OpenedAt: { } openedAt } && now - openedAt < options.CoolDown)
        {
            Assert.Equal(BreakerStatus.Open, current);
            Assert.Equal(0, allowed);
        }
        else
        {
            Assert.NotEqual(BreakerStatus.Open, current);
            Assert.NotEqual(0, allowed);
        }
    }

    private static void AssertConsistent(CircuitBreakerState state, CircuitBreakerOptions options)
    {
        switch (state.Status)
        {
            case BreakerStatus.Closed:
                Assert.Null(state.OpenedAt);
                Assert.Equal(0, state.HalfOpenSuccesses);
                Assert.InRange(state.ConsecutiveFailures, 0, options.FailureThreshold - 1);
                break;
            case BreakerStatus.Open:
                Assert.NotNull(state.OpenedAt);
                Assert.Equal(0, state.HalfOpenSuccesses);
                Assert.True(state.ConsecutiveFailures >= 1, $"open with {state.ConsecutiveFailures} failures");
                break;
            case BreakerStatus.HalfOpen:
                Assert.NotNull(state.OpenedAt);
                Assert.Equal(0, state.ConsecutiveFailures);
                Assert.InRange(state.HalfOpenSuccesses, 1, options.SuccessesToClose - 1);
                break;
            default:
                Assert.Fail($"unknown status {state.Status}");
                break;
        }
    }
}
