using Drover.Core.Adapters;
using Drover.Core.Runners;

namespace Drover.Engine.Tests;

/// <summary>Creates held back by a forge's rate limit wait for it to end instead of failing their runners at once.</summary>
public sealed class PlanExecutorRateLimitTests
{
    [Fact]
    public async Task RunCycle_ForgeRateLimitsAMint_TheOtherCreatesWaitForItsEnd_NoRunnerFailsUnsent()
    {
        await using var h = await LoopHarness.CreateAsync(provider: ", maxConcurrentCreates: 1");
        var resume = h.Time.GetUtcNow().AddSeconds(30);
        h.Forge.BeforeMint = (_, _) => throw new RateLimited(resume);
        h.Queue();
        h.Queue();
        h.Queue();

        await h.Loop.RunCycleAsync(CancellationToken.None);

        // One mint was sent and refused; the two creates after it were not started (before: failed unsent, each runner
        // Failed and its slot in retry backoff).
        Assert.Single(h.Forge.Minted);
        var runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(RunnerState.Failed, Assert.Single(runners).State);
        Assert.Equal(resume - Execution.PlanExecutor.PlanLead, h.Loop.Snapshot.Plan!.NextWakeAt);

        // Still limited: nothing is started.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Single(h.Forge.Minted);
        Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));

        // Once it ends, all three are made.
        h.Forge.BeforeMint = null;
        h.Time.Advance(TimeSpan.FromSeconds(20));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(4, h.Forge.Minted.Count);
        runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(3, runners.Count(r => r.State == RunnerState.Provisioning));
    }

    [Fact]
    public async Task RunCycle_MintEndpointsBudgetSpentAtThePacer_CreateUnderWayWithdrawnNotFailed_PlannedAgainJustBeforeTheHoldEnds()
    {
        await using var h = await LoopHarness.CreateAsync(provider: ", maxConcurrentCreates: 1");
        var until = h.Time.GetUtcNow().AddSeconds(30);
        h.Forge.BeforeMint = (_, _) => throw new CallPacedException("POST /mint", until, "POST /mint: budget spent; not sent");
        h.Queue();
        h.Queue();

        await h.Loop.RunCycleAsync(CancellationToken.None);

        // The first create found the budget spent, nothing sent: its intent is withdrawn (no failed runner to clean up at
        // the forge, no slot backoff); the second was not started.
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        Assert.Equal(RunnerState.Gone, runner.State);
        Assert.Equal(until - Execution.PlanExecutor.PlanLead, h.Loop.Snapshot.Plan!.NextWakeAt);

        h.Forge.BeforeMint = null;
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(2, runners.Count(r => r.State == RunnerState.Provisioning));
    }

    private sealed class RateLimited(DateTimeOffset retryAt) : Exception("403 secondary rate limit"), IClassifiedFailure
    {
        public CallFailureKind FailureKind => CallFailureKind.RateLimited;

        public DateTimeOffset? RetryAt => retryAt;
    }
}
