using Drover.Core.Demand;
using Drover.Core.Policies;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Policies;

public sealed class PredictivePolicyTests
{
    private static PolicyContext Context(IDemandHistory? history, int queued = 0, int running = 0, int idle = 0, Dictionary<string, string>? settings = null, DateTimeOffset? now = null) => new()
    {
        Pool = Pool("linux", max: 100) with { Policy = "predictive", PolicySettings = settings ?? new Dictionary<string, string>() },
        Limits = new PoolLimits(0, idle, 100, null),
        Demand = new PoolDemand(queued, running, []),
        Runners = PoolRunnerCounts.None,
        Now = now ?? T0,
        History = history,
    };

    [Fact]
    public void Decide_NoHistory_BehavesAsReactive()
    {
        var reactive = new ReactivePolicy().Decide(Context(null, queued: 3, running: 2, idle: 1));
        var predictive = new PredictivePolicy().Decide(Context(null, queued: 3, running: 2, idle: 1));
        var empty = new PredictivePolicy().Decide(Context(new ArrivalHistory(), queued: 3, running: 2, idle: 1));

        Assert.Equal(reactive.Desired, predictive.Desired);
        Assert.Equal(reactive.Desired, empty.Desired);
        Assert.Contains("no demand history", predictive.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SteadyRateWithinMaxWarm_IsFeasible_ButNotWithMaxWarmBelowWhatItNeeds()
    {
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 30)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        // As below: four warm runners meet the default target at two jobs a minute.
        var enough = new PredictivePolicy().Decide(Context(history, settings: new() { ["maxWarm"] = "4" }));
        var tooFew = new PredictivePolicy().Decide(Context(history, settings: new() { ["maxWarm"] = "3" }));
        var noHistory = new PredictivePolicy().Decide(Context(null, queued: 1));

        Assert.True(enough.SloFeasible);
        Assert.Null(enough.SloShortfall);
        Assert.False(tooFew.SloFeasible);
        Assert.Equal("targetWaitP95 15s needs 4 warm runners at 2/min with bootTime 1m, but maxWarm 3 allows 3", tooFew.SloShortfall);
        Assert.Null(noHistory.SloFeasible);
    }

    [Fact]
    public void Decide_SteadyRate_KeepsPoissonSizedWarmPool()
    {
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 30)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        // Two jobs a minute for two weeks, 45 s exposure (60 s boot - 15 s target): mean 1.5 arrivals;
        // P(N > 4) = 0.0186 <= 0.02 (the default wait budget) and P(N > 3) = 0.066 > 0.02, so four warm runners.
        var decision = new PredictivePolicy().Decide(Context(history, queued: 1));

        Assert.Equal(5, decision.Desired);
        Assert.Contains("4 warm", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_BurstStarting_RaisesWarmPoolAtOnce()
    {
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 300)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        var quiet = new PredictivePolicy().Decide(Context(history));
        for (var i = 0; i < 30; i++)
        {
            history.Record("linux", T0.AddSeconds(i * 2));
        }

        var burst = new PredictivePolicy().Decide(Context(history, now: T0.AddMinutes(1)));

        Assert.True(burst.Desired >= quiet.Desired + 20, $"quiet {quiet.Reason}; burst {burst.Reason}");
    }

    [Fact]
    public void Decide_AFewExtraArrivalsInTheLastMinute_AreNoiseNotABurst()
    {
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 30)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        history.Record("linux", T0.AddSeconds(5));
        history.Record("linux", T0.AddSeconds(10));
        var noisy = new PredictivePolicy().Decide(Context(history, now: T0.AddSeconds(30)));

        // The last minute saw 3 arrivals against 2 expected: within Poisson noise, so the forecast is the 5-minute rate
        // (11 in 5 minutes), not the 1-minute one.
        Assert.Contains("forecast 2.2/min", noisy.Reason, StringComparison.Ordinal);
        Assert.Contains("burst 3;", noisy.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_MatrixFannedOutAtOnce_IsNotABurst()
    {
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 300)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        for (var i = 0; i < 30; i++)
        {
            history.Record("linux", T0);
        }

        var decision = new PredictivePolicy().Decide(Context(history, now: T0.AddSeconds(20)));

        // Thirty jobs in one second are one push: the forecast stays at the 5-minute rate instead of 30 a minute.
        Assert.Contains("burst 30;", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("forecast 30/min", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TargetAboveBootTime_KeepsNoWarmRunners()
    {
        var history = new ArrivalHistory();
        for (var s = 0; s < 3600; s += 10)
        {
            history.Record("linux", T0.AddSeconds(s - 3600));
        }

        var decision = new PredictivePolicy().Decide(Context(history, queued: 2, settings: new() { ["targetWaitP95"] = "90s", ["bootTime"] = "60s" }));

        Assert.Equal(2, decision.Desired);
    }

    [Fact]
    public void Decide_MatricesFannedOutEveryFewMinutes_KeepsNoWarmRunnersAndSaysTheTargetIsOutOfReach()
    {
        // Two weeks of pushes every 4 minutes, each fanning out 12 jobs within 3 seconds: 180 jobs an hour, nearly all
        // bunched. A warm pool sized to 3 jobs a minute would be taken by the first jobs of a matrix and the rest wait.
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 240)
        {
            for (var j = 0; j < 12; j++)
            {
                history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2) + (j % 3)));
            }
        }

        var decision = new PredictivePolicy().Decide(Context(history, queued: 2, running: 5));

        Assert.Equal(7, decision.Desired);
        Assert.False(decision.SloFeasible);
        Assert.Contains("came bunched", decision.SloShortfall, StringComparison.Ordinal);
        Assert.EndsWith("planning reactively", decision.SloShortfall, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SameArrivalsOneAtATime_KeepsTheWarmPool()
    {
        // The same 180 jobs an hour as above, one every 20 s: a rate, so the Poisson-sized warm pool stands.
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 20)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        var decision = new PredictivePolicy().Decide(Context(history, queued: 2, running: 5));

        Assert.True(decision.Desired > 7, decision.Reason);
        Assert.True(decision.SloFeasible);
    }

    [Fact]
    public void Decide_FewArrivalsInTheLastHour_BehavesAsReactiveAndSaysTheTargetIsNotMet()
    {
        // One job every 5 minutes for two weeks: 12 an hour, fewer than minArrivals (20).
        var history = new ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 300)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        var decision = new PredictivePolicy().Decide(Context(history, queued: 1, running: 2));
        var lowered = new PredictivePolicy().Decide(Context(history, queued: 1, running: 2, settings: new() { ["minArrivals"] = "10" }));

        Assert.Equal(3, decision.Desired);
        Assert.False(decision.SloFeasible);
        Assert.Contains("fewer than minArrivals 20", decision.SloShortfall, StringComparison.Ordinal);
        Assert.True(lowered.Desired > 3, lowered.Reason);
    }

    [Fact]
    public void CountBunched_FannedOutMatricesAreBunched_AFastSteadyStreamIsNot()
    {
        var random = new Random(7);
        var steady = new int[3600];
        for (var t = 0.0; t < 3600; t += -Math.Log(1 - random.NextDouble()) / 0.9)
        {
            steady[(int)t]++;
        }

        var matrices = new int[3600];
        for (var t = 0; t < 3600; t += 300)
        {
            matrices[t] += 10;
            matrices[t + 2] += 10;
        }

        Assert.InRange(BatchProfile.CountBunched(steady) / (double)steady.Sum(), 0, 0.02);
        Assert.InRange(BatchProfile.CountBunched(matrices) / (double)matrices.Sum(), 0.8, 1.0);
    }

    [Theory]
    [InlineData(0.0, 45.0, 0.001, 10, 0)]
    [InlineData(1.0 / 30, 45.0, 0.05 / 30, 100, 4)]
    [InlineData(1.0, 45.0, 0.001, 30, 30)]
    public void WarmFor_SmallestCountWithinBudget_AgreesWithTail(double rate, double exposure, double allowed, int cap, int expected)
    {
        var warm = PredictivePolicy.WarmFor(rate, exposure, allowed, cap);

        Assert.Equal(expected, warm);
        if (warm > 0 && warm < cap)
        {
            Assert.True(rate * Poisson.Tail(rate * exposure, warm) <= allowed);
            Assert.True(rate * Poisson.Tail(rate * exposure, warm - 1) > allowed);
        }
    }

    [Fact]
    public void ValidateSettings_ReportsEveryBadKey()
    {
        var errors = new PredictivePolicy().ValidateSettings(new Dictionary<string, string>
        {
            ["targetWaitP95"] = "soon",
            ["waitBudget"] = "1.5",
            ["bootTime"] = "0s",
            ["colour"] = "blue",
            ["weeks"] = "2",
            ["minArrivals"] = "-1",
            ["maxBunched"] = "2",
        });

        Assert.Equal(["bootTime", "colour", "maxBunched", "minArrivals", "targetWaitP95", "waitBudget"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1.5, 3, 0.0656)]
    [InlineData(1.5, 4, 0.0186)]
    [InlineData(10, 15, 0.0487)]
    [InlineData(500, 536, 0.0526)]
    [InlineData(800, 850, 0.0381)]
    public void PoissonTail_MatchesReferenceValues(double mean, int k, double expected)
    {
        // Exact below a mean of 700, normal approximation above: within 5 % of the exact tail either way.
        Assert.InRange(Poisson.Tail(mean, k), expected * 0.95, expected * 1.05);
    }
}
