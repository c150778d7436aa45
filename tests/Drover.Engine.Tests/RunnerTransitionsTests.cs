using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;

namespace Drover.Engine.Tests;

public sealed class RunnerTransitionsTests
{
    [Fact]
    public async Task Apply_IllegalTransition_IsRejectedLoggedAndNotWritten()
    {
        await using var h = await LoopHarness.CreateAsync();
        var now = h.Time.GetUtcNow();
        var idle = new Runner { Id = "r1", Pool = "linux", Provider = "fake", IdempotencyKey = "r1", State = RunnerState.Idle, StateSince = now, CreatedAt = now };
        await h.Store.InTransactionAsync(async (w, ct) => { await w.UpsertRunnerAsync(idle, "test", ct); return true; }, CancellationToken.None);

        var transitions = new RunnerTransitions(h.Logger);
        var result = await h.Store.InTransactionAsync((w, ct) => transitions.ApplyAsync(w, idle, RunnerState.Provisioning, now, "bad", ct), CancellationToken.None);

        Assert.Null(result);
        Assert.Contains(h.Logger.Messages, m => m.Contains("illegal transition Idle -> Provisioning for runner r1", StringComparison.Ordinal));
        Assert.Equal(RunnerState.Idle, (await h.Store.GetRunnerAsync("r1", CancellationToken.None))!.State);
    }
}
