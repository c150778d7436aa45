using Drover.Core.Demand;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>Contract cases for the predictive policy's stored arrival history.</summary>
public abstract partial class StateStoreContract
{
    [StoreFact]
    public async Task Arrivals_AddedInSteps_AreCompactedPrunedAndRestoreToTheSameCounts()
    {
        var store = await OpenAsync();
        var keep = TimeSpan.FromDays(7);
        var memory = new ArrivalHistory(weeks: 1) { TracksUnsaved = true };
        DateTimeOffset[][] steps =
        [
            [T0, T0, T0.AddSeconds(5)],
            [T0.AddSeconds(5), T0.AddMinutes(30), T0.AddMinutes(30).AddSeconds(1)],
            [T0.AddHours(2), T0.AddHours(2).AddSeconds(30), T0.AddHours(3)],
            [T0.AddDays(8), T0.AddDays(8).AddMinutes(10), T0.AddDays(8).AddMinutes(10)],
            [T0.AddDays(8).AddMinutes(50), T0.AddDays(8).AddMinutes(75)],
        ];
        foreach (var step in steps)
        {
            foreach (var at in step)
            {
                memory.Record("linux", at);
            }

            memory.Record("gpu", step[0]);
            var unsaved = memory.TakeUnsaved();
            Assert.Equal(step.Length + 1, unsaved.Sum(b => b.Jobs));
            await store.InTransactionAsync(async (w, ct) => { await w.AddArrivalsAsync(unsaved, keep, ct); return true; }, _none);
        }

        Assert.Empty(memory.TakeUnsaved());
        var stored = await store.LoadArrivalsAsync(_none);

        Assert.Equal(T0, stored.FirstArrivals["linux"]);
        Assert.Equal(T0, stored.FirstArrivals["gpu"]);
        var latest = T0.AddDays(8).AddMinutes(75);
        var linux = stored.Buckets.Where(b => b.Pool == "linux").ToList();
        Assert.All(linux.Where(b => b.Width == TimeSpan.FromSeconds(1)), b => Assert.True(b.Start >= latest.AddHours(-1), $"second {b.Start} kept"));
        Assert.All(linux.Where(b => b.Width == TimeSpan.FromHours(1)), b => Assert.True(b.Start >= latest.AddDays(-7).AddHours(-1), $"hour {b.Start} kept"));
        Assert.Contains(linux, b => b.Width == TimeSpan.FromHours(1) && b.Start == T0.AddDays(8) && b.Jobs == 3 && b.Instants == 2);
        Assert.Equal(2, linux.Count(b => b.Width == TimeSpan.FromSeconds(1)));
        Assert.DoesNotContain(linux, b => b.Start < T0.AddDays(1));

        var restored = new ArrivalHistory(weeks: 1);
        restored.Restore(stored);
        Assert.Equal(memory.FirstArrival("linux"), restored.FirstArrival("linux"));
        (DateTimeOffset From, DateTimeOffset To)[] ranges =
        [
            (latest.AddMinutes(-30), latest.AddSeconds(1)), (latest.AddHours(-2), latest), (T0.AddDays(8), T0.AddDays(8).AddHours(1)),
            (T0.AddDays(2), latest.AddSeconds(1)), (T0.AddDays(8).AddMinutes(-5), T0.AddDays(8).AddMinutes(20)),
        ];
        foreach (var (from, to) in ranges)
        {
            Assert.Equal(memory.Arrivals("linux", from, to), restored.Arrivals("linux", from, to));
            Assert.Equal(memory.ArrivalInstants("linux", from, to), restored.ArrivalInstants("linux", from, to));
            Assert.Equal(memory.Arrivals("gpu", from, to), restored.Arrivals("gpu", from, to));
        }

        Assert.Equal(5, restored.Arrivals("linux", T0.AddDays(2), latest.AddSeconds(1)));
    }
}
