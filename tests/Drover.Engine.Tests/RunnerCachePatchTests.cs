using Drover.Core.Runners;
using Drover.Engine.Loop;

namespace Drover.Engine.Tests;

/// <summary>
/// The runner cache's patch (a merge of a cycle's few updates into the id-ordered live runners) gives what a map by id
/// gives: every runner once, in id order, updated ones replaced, gone or unstored ones left out, new ones added.
/// </summary>
public sealed class RunnerCachePatchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);

    private static Runner Make(string id, RunnerState state, int version = 0) => new()
    {
        Id = id, Pool = "linux", Provider = "fake", IdempotencyKey = id, State = state, StateSince = T0.AddSeconds(version), CreatedAt = T0,
    };

    /// <summary>The meaning of a patch, written the plain way: a sorted map by id.</summary>
    private static List<Runner> Reference(IEnumerable<Runner> runners, IEnumerable<(string Id, Runner? Now)> updates)
    {
        var byId = new SortedDictionary<string, Runner>(StringComparer.Ordinal);
        foreach (var runner in runners)
        {
            byId[runner.Id] = runner;
        }

        foreach (var (id, now) in updates)
        {
            if (now is { State: not RunnerState.Gone })
            {
                byId[id] = now;
            }
            else
            {
                byId.Remove(id);
            }
        }

        return [.. byId.Values];
    }

    [Fact]
    public void Patch_OnRandomListsAndUpdates_EqualsAMapById()
    {
        var random = new Random(20261208);
        var states = Enum.GetValues<RunnerState>();
        for (var round = 0; round < 2000; round++)
        {
            var ids = Enumerable.Range(0, random.Next(0, 40)).Select(_ => $"r{random.Next(0, 60):00}").Distinct().ToList();
            // Mostly in id order as the store gives them; sometimes not, which the patch must sort itself.
            ids = random.Next(5) == 0 ? [.. ids.OrderBy(_ => random.Next())] : [.. ids.Order(StringComparer.Ordinal)];
            var runners = ids.Select(id => Make(id, RunnerState.Idle)).ToList();
            var updates = Enumerable.Range(0, random.Next(0, 8))
                .Select(v => $"r{random.Next(0, 60):00}")
                .Select((id, v) => (id, random.Next(4) == 0 ? null : (Runner?)Make(id, states[random.Next(states.Length)], v + 1)))
                .ToList();

            var patched = RunnerCache.Patch(runners, updates);

            Assert.Equal(Reference(runners, updates), patched);
        }
    }

    [Fact]
    public void Patch_NewRunnersBetweenKnownOnes_AreMergedInIdOrder()
    {
        Runner[] runners = [Make("a", RunnerState.Idle), Make("c", RunnerState.Busy), Make("e", RunnerState.Idle)];

        var patched = RunnerCache.Patch(runners, [("d", Make("d", RunnerState.Requested)), ("b", Make("b", RunnerState.Requested)), ("c", Make("c", RunnerState.Gone)), ("f", null)]);

        Assert.Equal(["a", "b", "d", "e"], patched.Select(r => r.Id));
    }
}
