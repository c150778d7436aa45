namespace Drover.Engine.Tests;

/// <summary>The cycle's pool matcher is built once per configuration, not once per cycle.</summary>
public sealed class CycleMatcherTests
{
    [Fact]
    public async Task RunCycle_SameConfiguration_KeepsOneMatcher_ANewConfigurationGetsItsOwn()
    {
        await using var h = await LoopHarness.CreateAsync(idle: 1);
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var first = h.Loop.MatcherFor(h.Loop.Snapshot.Config);
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Same(first, h.Loop.MatcherFor(h.Loop.Snapshot.Config));
        var reloaded = h.Config with { Pools = [.. h.Config.Pools] };
        Assert.NotSame(first, h.Loop.MatcherFor(reloaded));
    }
}
