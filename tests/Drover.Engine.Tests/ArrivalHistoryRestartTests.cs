using Drover.Core.Demand;
using Drover.Core.Planning;

namespace Drover.Engine.Tests;

public sealed class ArrivalHistoryRestartTests
{
    private const string Predictive = "policy: predictive\n    policySettings: { targetWaitP95: 10s, bootTime: 3m }";

    [Fact]
    public async Task Restart_OnTheSameStore_PredictivePoolGetsTheSamePlanFromThePersistedHistory()
    {
        await using var h = await LoopHarness.CreateAsync(pool: Predictive);
        await h.Loop.StartAsync(CancellationToken.None);

        // A busy two hours a week ago (seconds of it compacted into hours by now), then the start of the same hour today.
        var weekAgo = new List<JobKey>();
        for (var i = 0; i < 24; i++)
        {
            for (var j = 0; j <= i % 3; j++)
            {
                weekAgo.Add(h.Queue());
            }

            await h.Loop.RunCycleAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(i));
        }

        foreach (var key in weekAgo)
        {
            h.Loop.Ingest(new JobEvent { Key = key, Kind = JobEventKind.Cancelled, At = h.Time.GetUtcNow() });
        }

        await h.Loop.RunCycleAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromHours(2) + TimeSpan.FromMinutes(30));
        for (var i = 0; i < 6; i++)
        {
            h.Queue();
            h.Queue();
            await h.Loop.RunCycleAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromSeconds(7));
        }

        var before = Linux(await h.Loop.PreviewAsync(CancellationToken.None));
        Assert.StartsWith("predictive: ", before.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("no demand history", before.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("season 0,", before.Reason, StringComparison.Ordinal);

        var restarted = h.NewLoop();
        await restarted.StartAsync(CancellationToken.None);
        var after = Linux(await restarted.PreviewAsync(CancellationToken.None));

        Assert.Equal(before.Reason, after.Reason);
        Assert.Equal(before.Desired, after.Desired);
    }

    private static PoolPlan Linux(Plan plan) => Assert.Single(plan.Pools, p => p.Pool == "linux");
}
