using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

public sealed class ScheduleRulesTests
{
    private static string PoolWithSchedule(string cron, string timezone, params string[] overrides) =>
        Fleet(Pool(extra: ["max: 10", "schedules:", $"  - cron: \"{cron}\"", $"    timezone: {timezone}", .. overrides.Select(o => "    " + o)]));

    [Fact]
    public void Validate_ValidSchedule_Binds()
    {
        var result = Load(PoolWithSchedule("* 8-18 * * 1-5", "Europe/Berlin", "idle: 4", "max: 20"));

        AssertValid(result);
        var schedule = Assert.Single(result.Config!.Pools[0].Schedules);
        Assert.Equal(("Europe/Berlin", 4, 20), (schedule.TimeZone, schedule.Idle, schedule.Max));
    }

    [Theory]
    [InlineData("0 25 * * *", "Hours")]
    [InlineData("* * * *", "")]
    [InlineData("0 0 * * * *", "")]
    [InlineData("every day", "")]
    public void Validate_InvalidCron_ReportsCron(string cron, string reason)
    {
        var result = Load(PoolWithSchedule(cron, "UTC", "idle: 1"));

        var error = AssertSingleError(result, 19, 15, "pools[0].schedules[0].cron", $"invalid cron expression '{cron}': {reason}");
        Assert.EndsWith("expected five fields: minute hour day-of-month month day-of-week", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Europe/Berlln")]
    [InlineData("CEST")]
    [InlineData("Mars/Olympus")]
    public void Validate_UnknownTimeZone_ReportsTimeZone(string timezone)
    {
        var result = Load(PoolWithSchedule("* * * * *", timezone, "idle: 1"));

        AssertSingleError(result, 20, 19, "pools[0].schedules[0].timezone", $"unknown time zone '{timezone}'; use an IANA id");
    }

    [Fact]
    public void Validate_DefaultTimeZone_IsUtc()
    {
        var result = Load(Fleet(Pool(extra: ["schedules:", "  - { cron: \"0 * * * *\", idle: 1 }"])));

        AssertValid(result);
        Assert.Equal("UTC", result.Config!.Pools[0].Schedules[0].TimeZone);
    }

    [Fact]
    public void Validate_OverrideMinAboveOverrideMax_ReportsMax()
    {
        var result = Load(PoolWithSchedule("* * * * *", "UTC", "min: 6", "max: 4"));

        AssertSingleError(result, 22, 14, "pools[0].schedules[0].max", "while this schedule is active min (6) would be greater than max (4)");
    }

    [Fact]
    public void Validate_OverrideMinAbovePoolMax_ReportsMin()
    {
        var result = Load(PoolWithSchedule("* * * * *", "UTC", "min: 11"));

        AssertSingleError(result, 21, 14, "pools[0].schedules[0].min", "while this schedule is active min (11) would be greater than max (10)");
    }

    [Fact]
    public void Validate_OverrideIdleAbovePoolMax_ReportsIdle()
    {
        var result = Load(PoolWithSchedule("* * * * *", "UTC", "idle: 12"));

        AssertSingleError(result, 21, 15, "pools[0].schedules[0].idle", "while this schedule is active idle (12) would be greater than max (10)");
    }

    [Fact]
    public void Validate_OverrideMaxBelowPoolIdle_ReportsMax()
    {
        var result = Load(Fleet(Pool(extra: ["idle: 3", "schedules:", "  - cron: \"* * * * *\"", "    max: 2"])));

        AssertSingleError(result, 20, 14, "pools[0].schedules[0].max", "idle (3) would be greater than max (2)");
    }

    [Fact]
    public void Validate_NegativeOverride_ReportsIt()
    {
        var result = Load(PoolWithSchedule("* * * * *", "UTC", "idle: -1"));

        AssertSingleError(result, 21, 15, "pools[0].schedules[0].idle", "must not be negative, got -1");
    }

    [Fact]
    public void Validate_ScheduleWithoutOverrides_ReportsItChangesNothing()
    {
        var result = Load(PoolWithSchedule("* * * * *", "UTC"));

        AssertSingleError(result, 19, 9, "pools[0].schedules[0]", "this schedule changes nothing");
    }

    [Fact]
    public void Validate_ScheduleWithoutCron_ReportsMissingCron()
    {
        var result = Load(Fleet(Pool(extra: ["schedules:", "  - idle: 2"])));

        AssertSingleError(result, 18, 9, "pools[0].schedules[0].cron", "required field 'cron' is missing");
    }
}
