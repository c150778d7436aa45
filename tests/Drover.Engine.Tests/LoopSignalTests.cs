using Drover.Engine.Loop;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Engine.Tests;

public sealed class LoopSignalTests
{
    [Fact]
    public async Task WaitAsync_TenSignals_WakeOnce()
    {
        var time = new FakeTimeProvider();
        var signal = new LoopSignal();
        for (var i = 0; i < 10; i++)
        {
            signal.Signal();
        }

        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(30), time, CancellationToken.None));
        Assert.False(signal.IsPending);
        var second = signal.WaitAsync(TimeSpan.FromSeconds(30), time, CancellationToken.None);
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(await second);
    }

    [Fact]
    public async Task WaitAsync_SignalWhileWaiting_WakesAtOnce()
    {
        var time = new FakeTimeProvider();
        var signal = new LoopSignal();
        var wait = signal.WaitAsync(TimeSpan.FromMinutes(5), time, CancellationToken.None);
        signal.Signal();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
