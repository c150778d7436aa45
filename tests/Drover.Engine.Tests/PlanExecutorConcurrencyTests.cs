using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Testing;

namespace Drover.Engine.Tests;

/// <summary>Creates run concurrently up to the provider's <c>maxConcurrentCreates</c>.</summary>
public sealed class PlanExecutorConcurrencyTests
{
    [Fact]
    public async Task RunCycle_OneMintHangs_OtherCreatesCompleteWithoutWaitingForIt()
    {
        await using var h = await LoopHarness.CreateAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? hung = null;
        h.Forge.BeforeMint = (name, ct) => Interlocked.CompareExchange(ref hung, name, null) is null ? release.Task.WaitAsync(ct) : Task.CompletedTask;
        h.Queue();
        h.Queue();
        h.Queue();

        var cycle = h.Loop.RunCycleAsync(CancellationToken.None);
        var runners = await Eventually.ThatAsync(
            () => h.Store.ListRunnersAsync("linux", null, CancellationToken.None),
            rs => rs.Count(r => r.State == RunnerState.Provisioning) == 2,
            "the two other runners confirmed while the first mint hangs",
            rs => string.Join(", ", rs.Select(r => $"{r.Id}:{r.State}")));

        Assert.False(cycle.IsCompleted);
        Assert.Equal(RunnerState.Requested, Assert.Single(runners, r => r.Id == hung).State);
        release.SetResult();
        await cycle;

        runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(3, runners.Count);
        Assert.All(runners, r => Assert.Equal(RunnerState.Provisioning, r.State));
        var confirmed = (await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None)).Where(e => e.Kind == EventKinds.ProviderCreateSucceeded).Select(e => e.Subject).ToList();
        Assert.Equal(hung, confirmed[^1]);
    }

    [Fact]
    public async Task RunCycle_MaxConcurrentCreates_BoundsTheCallsUnderWay()
    {
        await using var h = await LoopHarness.CreateAsync(provider: ", maxConcurrentCreates: 2");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Forge.BeforeMint = (_, ct) => release.Task.WaitAsync(ct);
        for (var i = 0; i < 5; i++)
        {
            h.Queue();
        }

        var cycle = h.Loop.RunCycleAsync(CancellationToken.None);
        await Eventually.ThatAsync(() => Task.FromResult(h.Forge.MintsInFlight), n => n == 2, "two mints under way");
        Assert.Equal(2, h.Forge.Minted.Count);
        release.SetResult();
        await cycle;

        Assert.Equal(2, h.Forge.MaxMintsInFlight);
        var runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(5, runners.Count(r => r.State == RunnerState.Provisioning));
    }
}
