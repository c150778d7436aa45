using Drover.Core.Config;
using Drover.Core.Policies;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Policies;

public sealed class ScheduleOverlayTests
{
    private static readonly PoolConfig Base = Pool("linux", min: 1, max: 10, idle: 2) with
    {
        Schedules =
        [
            new ScheduleConfig { Cron = "* 8-17 * * 1-5", TimeZone = "Europe/Berlin", Idle = 5, Max = 40 },
            new ScheduleConfig { Cron = "* 12 * * *", TimeZone = "Europe/Berlin", Min = 3 },
        ],
    };

    [Fact]
    public void Apply_NoPeriodActive_KeepsPoolLimits()
    {
        var limits = ScheduleOverlay.Apply(Base, new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));

        Assert.Equal(new PoolLimits(1, 2, 10, null), limits);
    }

    [Fact]
    public void Apply_WorkingHoursInZone_OverridesSetFieldsOnly()
    {
        // 07:30 UTC is 08:30 in Berlin (CET) on a Monday.
        var limits = ScheduleOverlay.Apply(Base, new DateTimeOffset(2026, 11, 23, 7, 30, 0, TimeSpan.Zero));

        Assert.Equal((1, 5, 40), (limits.Min, limits.Idle, limits.Max));
        Assert.Equal("* 8-17 * * 1-5 (Europe/Berlin)", limits.Schedule);
    }

    [Fact]
    public void Apply_TwoPeriodsActive_LastOneWins()
    {
        // 11:15 UTC = 12:15 Berlin: both periods match; the second (min 3) wins and leaves idle/max at the pool's values.
        var limits = ScheduleOverlay.Apply(Base, new DateTimeOffset(2026, 11, 23, 11, 15, 0, TimeSpan.Zero));

        Assert.Equal((3, 2, 10), (limits.Min, limits.Idle, limits.Max));
    }

    [Fact]
    public void IsActive_HourBoundaryInZone_Exact()
    {
        var period = Base.Schedules[0];

        Assert.False(ScheduleOverlay.IsActive(period, new DateTimeOffset(2026, 11, 23, 6, 59, 59, TimeSpan.Zero)));
        Assert.True(ScheduleOverlay.IsActive(period, new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero)));
        Assert.True(ScheduleOverlay.IsActive(period, new DateTimeOffset(2026, 11, 23, 16, 59, 0, TimeSpan.Zero)));
        Assert.False(ScheduleOverlay.IsActive(period, new DateTimeOffset(2026, 11, 23, 17, 0, 0, TimeSpan.Zero)));
    }
}
