using Drover.Core.Adapters;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Adapters;

public sealed class CallPacerTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Fact]
    public void Reserve_WithinTheBudget_GoesAtOnce_ThenTheNextPlaceIsAWindowAndItsMarginAfterTheFirstCall()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var pacer = new CallPacer(time, 10, Window);

        Assert.Equal(TimeSpan.FromSeconds(61.5), pacer.Span);
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("POST /a", 5, TimeSpan.Zero));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("POST /a", 5, TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("GET /a", 1, TimeSpan.Zero));

        var held = Assert.Throws<CallPacedException>(() => pacer.Reserve("POST /a", 5, TimeSpan.FromSeconds(5)));
        Assert.Equal("POST /a", held.Endpoint);
        Assert.Equal(DateTimeOffset.UnixEpoch + pacer.Span, held.Until);
        Assert.Equal(10, pacer.PointsInWindow("POST /a"));

        // A caller that waits long enough takes the place the first call frees; the next one queues behind it.
        Assert.Equal(TimeSpan.FromSeconds(41.5), pacer.Reserve("POST /a", 5, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(61.5), pacer.Reserve("POST /a", 5, TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void Pause_HoldsEveryEndpoint_AsTheWholeForge()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var pacer = new CallPacer(time, 900, Window);
        pacer.Pause(DateTimeOffset.UnixEpoch.AddSeconds(30));
        pacer.Pause(DateTimeOffset.UnixEpoch.AddSeconds(10));

        var held = Assert.Throws<CallPacedException>(() => pacer.Reserve("GET /b", 1, TimeSpan.FromSeconds(5)));
        Assert.Null(held.Endpoint);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(30), held.Until);
        Assert.Equal(TimeSpan.FromSeconds(30), pacer.Reserve("GET /b", 1, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void ObserveBudget_SpentByTheCallsLetOutSince_HoldsUntilTheReset()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var pacer = new CallPacer(time, 0, TimeSpan.Zero);
        var reset = DateTimeOffset.UnixEpoch.AddMinutes(10);
        pacer.ObserveBudget(2, 5000, reset);

        Assert.Equal(TimeSpan.Zero, pacer.Reserve("GET /c", 1, TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("POST /d", 1, TimeSpan.Zero));
        var held = Assert.Throws<CallPacedException>(() => pacer.Reserve("GET /e", 1, TimeSpan.FromSeconds(5)));

        Assert.Null(held.Endpoint);
        Assert.Equal(reset, held.Until);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("GET /e", 1, TimeSpan.Zero));
    }

    [Fact]
    public void Reserve_AlignedWindows_NextPlaceAtTheWindowsEnd_ACallNearTheEndCountsInBothWindows()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_030);
        var time = new FakeTimeProvider(start);
        var pacer = new CallPacer(time, 3, Window, aligned: true);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TimeSpan.Zero, pacer.Reserve("GitLab API", 1, TimeSpan.Zero));
        }

        var held = Assert.Throws<CallPacedException>(() => pacer.Reserve("GitLab API", 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_060), held.Until);

        // 1 s before the next window ends (the margin is 1.5 s): the call may arrive in the one after, so it counts there too.
        time.Advance(TimeSpan.FromSeconds(89));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("GitLab API", 1, TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("GitLab API", 1, TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("GitLab API", 1, TimeSpan.Zero));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, pacer.PointsInWindow("GitLab API"));
        Assert.Throws<CallPacedException>(() => pacer.Reserve("GitLab API", 1, TimeSpan.FromSeconds(5)));
    }
}
