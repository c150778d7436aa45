using Drover.Core.Adapters;

namespace Drover.Core.Tests.Adapters;

public sealed class PollBackoffTests
{
    private static readonly DateTimeOffset _now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Failed_DoublesFromOneSecondToTheSixtySecondCap_WithJitterBetweenHalfAndAll()
    {
        var backoff = new PollBackoff(TimeSpan.FromSeconds(5), new Random(7));
        var waits = Enumerable.Range(0, 10).Select(_ => backoff.Failed(_now).Wait).ToList();

        double[] full = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60];
        for (var i = 0; i < waits.Count; i++)
        {
            Assert.InRange(waits[i].TotalSeconds, full[i] / 2, full[i]);
        }

        Assert.Equal(10, backoff.Failures);
    }

    [Fact]
    public void Failed_CapIsThePollIntervalWhenThatIsLonger()
    {
        var backoff = new PollBackoff(TimeSpan.FromMinutes(5), new Random(1));
        var last = Enumerable.Range(0, 12).Select(_ => backoff.Failed(_now).Wait).ToList()[^1];

        Assert.InRange(last.TotalMinutes, 2.5, 5);
    }

    [Fact]
    public void StartAndRecovery_AreEachReportedOnce_ThenTheIntervalComesBack()
    {
        var backoff = new PollBackoff(TimeSpan.FromSeconds(30), new Random(3));

        Assert.Null(backoff.Succeeded().Recovered);
        Assert.True(backoff.Failed(_now).Started);
        Assert.False(backoff.Failed(_now.AddSeconds(1)).Started);
        Assert.False(backoff.Failed(_now.AddSeconds(3)).Started);
        Assert.Equal(_now, backoff.FailingSince);

        var (wait, recovered) = backoff.Succeeded();

        Assert.Equal(TimeSpan.FromSeconds(30), wait);
        Assert.Equal((3, _now), recovered);
        Assert.Null(backoff.Succeeded().Recovered);
        Assert.Null(backoff.FailingSince);
    }
}
