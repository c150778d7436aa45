using Drover.Core.Config;
using Drover.Core.Policies;

namespace Drover.Core.Tests.Policies;

public sealed class IdlePoolPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly IdlePoolPolicy _policy = new();

    [Fact]
    public void Name_IsIdlePool()
    {
        Assert.Equal("idle-pool", _policy.Name);
    }

    [Fact]
    public void Decide_DefaultSettings_AddsIdleCountToDemand()
    {
        // 3 running + 2 queued + 2 idle = 7 slots, one per instance.
        var decision = _policy.Decide(Context(running: 3, queued: 2, idle: 2));

        Assert.Equal(7, decision.Desired);
        Assert.Equal(
            "idle-pool: 3 in use + 2 pending + 2 idle slots (idle count 2, scale factor 0, limit 0) over 1 slot/instance = 7",
            decision.Reason);
    }

    [Fact]
    public void Decide_ScaleFactorAboveIdleCount_UsesScaledIdle()
    {
        // ceil(3 * 0.5) = 2, min(2, 4) = 2, max(1, 2) = 2; 3 + 2 + 2 = 7.
        var decision = _policy.Decide(Context(running: 3, queued: 2, idle: 1, settings: Settings("1", "0.5", "4")));

        Assert.Equal(7, decision.Desired);
        Assert.Equal(
            "idle-pool: 3 in use + 2 pending + 2 idle slots (idle count 1, scale factor 0.5, limit 4) over 1 slot/instance = 7",
            decision.Reason);
    }

    [Fact]
    public void Decide_ScaledIdleAboveLimit_CappedAtLimit()
    {
        // ceil(5 * 2) = 10, min(10, 3) = 3, max(0, 3) = 3; 5 + 0 + 3 = 8.
        var decision = _policy.Decide(Context(running: 5, queued: 0, idle: 0, settings: Settings(null, "2", "3")));

        Assert.Equal(8, decision.Desired);
    }

    [Fact]
    public void Decide_FractionalScaleFactor_RoundsIdleUp()
    {
        // ceil(7 * 0.3) = ceil(2.1) = 3, min(3, 10) = 3; 7 + 0 + 3 = 10 slots.
        var decision = _policy.Decide(Context(running: 7, queued: 0, idle: 0, settings: Settings(null, "0.3", "10")));

        Assert.Equal(10, decision.Desired);
    }

    [Fact]
    public void Decide_ScaleFactorWithoutLimit_AddsNoExtraIdle()
    {
        // scaleFactorLimit defaults to 0: min(ceil(4 * 1), 0) = 0, so only the idle count of 1 is kept; 4 + 1 + 1 = 6.
        var decision = _policy.Decide(Context(running: 4, queued: 1, idle: 1, settings: Settings(null, "1", null)));

        Assert.Equal(6, decision.Desired);
    }

    [Theory]
    [InlineData(5, 2, 2, 4, 3)] // 9 slots / 4 = 2.25 -> 3
    [InlineData(6, 0, 2, 4, 2)] // 8 slots / 4 = 2 exactly
    [InlineData(0, 1, 0, 4, 1)] // 1 slot still needs a whole instance
    [InlineData(0, 0, 0, 3, 0)] // nothing to do, nothing kept
    [InlineData(0, 0, 1, 3, 1)] // 1 idle slot -> 1 instance
    [InlineData(10, 7, 3, 5, 4)] // 20 slots / 5 = 4
    [InlineData(10, 7, 4, 5, 5)] // 21 slots / 5 = 4.2 -> 5
    public void Decide_SeveralSlotsPerInstance_RoundsInstancesUp(int running, int queued, int idle, int capacity, int expected)
    {
        var decision = _policy.Decide(Context(running, queued, idle, Settings(capacity.ToString(System.Globalization.CultureInfo.InvariantCulture), null, null)));

        Assert.Equal(expected, decision.Desired);
    }

    [Fact]
    public void Decide_ScaleFactorAndCapacity_CombineInSlots()
    {
        // ceil(7 * 0.3) = 3 idle slots; 7 + 0 + 3 = 10 slots over 2 per instance = 5.
        var decision = _policy.Decide(Context(running: 7, queued: 0, idle: 0, settings: Settings("2", "0.3", "10")));

        Assert.Equal(5, decision.Desired);
        Assert.Equal(
            "idle-pool: 7 in use + 0 pending + 3 idle slots (idle count 0, scale factor 0.3, limit 10) over 2 slots/instance = 5",
            decision.Reason);
    }

    [Fact]
    public void Decide_ScheduleRaisesIdleCount_IdleCountWinsAndIsNotClampedToMax()
    {
        // The schedule's idle 6 beats the scaled min(ceil(4 * 0.5), 4) = 2; 4 + 1 + 6 = 11, above Max 10 (the planner clamps).
        var limits = new PoolLimits(Min: 0, Idle: 6, Max: 10, Schedule: "weekday-hours");

        var decision = _policy.Decide(Context(running: 4, queued: 1, limits: limits, settings: Settings(null, "0.5", "4")));

        Assert.Equal(11, decision.Desired);
        Assert.Equal(
            "idle-pool: 4 in use + 1 pending + 6 idle slots (idle count 6 from schedule weekday-hours, scale factor 0.5, limit 4) over 1 slot/instance = 11",
            decision.Reason);
    }

    [Fact]
    public void Decide_NegativeInputs_NeverNegative()
    {
        var decision = _policy.Decide(Context(running: -3, queued: -2, idle: -1));

        Assert.Equal(0, decision.Desired);
    }

    [Fact]
    public void Decide_HugeScaleFactor_LimitedWithoutOverflow()
    {
        // ceil(1000 * 1e300) is far beyond int; min with the limit 5 keeps it at 5; 1000 + 0 + 5 = 1005.
        var decision = _policy.Decide(Context(running: 1000, queued: 0, idle: 0, settings: Settings(null, "1e300", "5")));

        Assert.Equal(1005, decision.Desired);
    }

    [Fact]
    public void Decide_InvalidSettingSlipsThrough_UsesDefaultAndSaysSo()
    {
        var settings = new Dictionary<string, string> { ["capacityPerInstance"] = "0" };

        var decision = _policy.Decide(Context(running: 3, queued: 0, idle: 0, settings: settings));

        Assert.Equal(3, decision.Desired);
        Assert.EndsWith("= 3; ignored invalid settings: capacityPerInstance", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateSettings_EmptyOrValid_NoErrors()
    {
        Assert.Empty(_policy.ValidateSettings(new Dictionary<string, string>()));
        Assert.Empty(_policy.ValidateSettings(Settings("4", "0.25", "8")));
        Assert.Empty(_policy.ValidateSettings(Settings("1", "0", "0")));
    }

    [Fact]
    public void ValidateSettings_UnknownKey_Reported()
    {
        var errors = _policy.ValidateSettings(new Dictionary<string, string> { ["idleCount"] = "3", ["scaleFactor"] = "1" });

        var error = Assert.Single(errors);
        Assert.Equal("idleCount", error.Key);
        Assert.Contains("unknown setting", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("capacityPerInstance", "0")]
    [InlineData("capacityPerInstance", "-2")]
    [InlineData("capacityPerInstance", "1.5")]
    [InlineData("capacityPerInstance", "four")]
    [InlineData("capacityPerInstance", "")]
    [InlineData("scaleFactor", "-0.1")]
    [InlineData("scaleFactor", "NaN")]
    [InlineData("scaleFactor", "Infinity")]
    [InlineData("scaleFactor", "0,5")]
    [InlineData("scaleFactor", "half")]
    [InlineData("scaleFactorLimit", "-1")]
    [InlineData("scaleFactorLimit", "2.5")]
    [InlineData("scaleFactorLimit", "99999999999")]
    public void ValidateSettings_MalformedValue_ReportedForItsKey(string key, string value)
    {
        var errors = _policy.ValidateSettings(new Dictionary<string, string> { [key] = value });

        var error = Assert.Single(errors);
        Assert.Equal(key, error.Key);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateSettings_SeveralProblems_ReportsEveryOne()
    {
        var settings = new Dictionary<string, string>
        {
            ["capacityPerInstance"] = "0",
            ["scaleFactor"] = "-1",
            ["scaleFactorLimit"] = "x",
            ["idleTime"] = "5m",
        };

        var errors = _policy.ValidateSettings(settings);

        Assert.Equal(
            ["capacityPerInstance", "idleTime", "scaleFactor", "scaleFactorLimit"],
            errors.Select(error => error.Key).Order(StringComparer.Ordinal));
    }

    private static Dictionary<string, string> Settings(string? capacity, string? factor, string? limit)
    {
        var settings = new Dictionary<string, string>();
        if (capacity is not null)
        {
            settings["capacityPerInstance"] = capacity;
        }

        if (factor is not null)
        {
            settings["scaleFactor"] = factor;
        }

        if (limit is not null)
        {
            settings["scaleFactorLimit"] = limit;
        }

        return settings;
    }

    private static PolicyContext Context(
        int running,
        int queued,
        int idle = 0,
        IReadOnlyDictionary<string, string>? settings = null,
        PoolLimits? limits = null) => new()
        {
            Pool = new PoolConfig
            {
                Name = "gitlab-docker",
                Forge = "gitlab",
                Scope = new PoolScope(ScopeKind.Group, "acme"),
                Provider = "local",
                Policy = "idle-pool",
                Max = 10,
                PolicySettings = settings ?? new Dictionary<string, string>(),
            },
            Limits = limits ?? new PoolLimits(Min: 0, Idle: idle, Max: 10, Schedule: null),
            Demand = new PoolDemand(queued, running, []),
            Runners = PoolRunnerCounts.None,
            Now = Now,
        };
}
