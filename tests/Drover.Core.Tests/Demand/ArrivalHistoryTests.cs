using Drover.Core.Demand;

namespace Drover.Core.Tests.Demand;

public sealed class ArrivalHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Arrivals_WithinTheLastHour_AreCountedPerSecond()
    {
        var history = new ArrivalHistory();
        history.Record("a", T0);
        history.Record("a", T0.AddSeconds(10));
        history.Record("a", T0.AddSeconds(10));
        history.Record("b", T0.AddSeconds(10));

        Assert.Equal(3, history.Arrivals("a", T0, T0.AddSeconds(11)));
        Assert.Equal(2, history.Arrivals("a", T0.AddSeconds(1), T0.AddSeconds(11)));
        Assert.Equal(1, history.Arrivals("a", T0, T0.AddSeconds(10)));
        Assert.Equal(1, history.Arrivals("b", T0, T0.AddMinutes(5)));
        Assert.Equal(0, history.Arrivals("c", T0, T0.AddMinutes(5)));
    }

    [Fact]
    public void Arrivals_OlderThanAnHour_CountPerHourProRata()
    {
        var history = new ArrivalHistory();
        for (var i = 0; i < 60; i++)
        {
            history.Record("a", T0.AddMinutes(i));
        }

        history.Record("a", T0.AddDays(8));

        Assert.Equal(60, history.Arrivals("a", T0, T0.AddHours(1)));
        Assert.Equal(30, history.Arrivals("a", T0, T0.AddMinutes(30)));
        Assert.Equal(1, history.Arrivals("a", T0.AddDays(8), T0.AddDays(8).AddSeconds(1)));
    }

    [Fact]
    public void Arrivals_BeyondTheWeeksKept_AreForgotten()
    {
        var history = new ArrivalHistory(weeks: 1);
        history.Record("a", T0);
        history.Record("a", T0.AddDays(8));

        Assert.Equal(0, history.Arrivals("a", T0, T0.AddHours(1)));
        Assert.Equal(T0, history.FirstArrival("a"));
        Assert.Null(history.FirstArrival("b"));
    }

    [Fact]
    public void Arrivals_AfterTheLatestRecord_AreZero()
    {
        var history = new ArrivalHistory();
        history.Record("a", T0);

        Assert.Equal(0, history.Arrivals("a", T0.AddHours(3), T0.AddHours(4)));
        Assert.Equal(1, history.Arrivals("a", T0.AddMinutes(-5), T0.AddHours(4)));
    }

    [Fact]
    public void ArrivalInstants_CountSecondsWithArrivals_NotJobs()
    {
        var history = new ArrivalHistory();
        for (var i = 0; i < 20; i++)
        {
            history.Record("a", T0);
        }

        history.Record("a", T0.AddSeconds(5));
        history.Record("a", T0.AddSeconds(5));

        Assert.Equal(22, history.Arrivals("a", T0, T0.AddMinutes(1)));
        Assert.Equal(2, history.ArrivalInstants("a", T0, T0.AddMinutes(1)));
        Assert.Equal(1, history.ArrivalInstants("a", T0.AddSeconds(1), T0.AddMinutes(1)));
    }
}
