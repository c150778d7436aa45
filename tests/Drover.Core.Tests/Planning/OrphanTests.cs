using Drover.Core.Planning;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Planning;

public sealed class OrphanTests
{
    private static ProviderInstance Instance(string id, DateTimeOffset created, string? key = null) =>
        new() { Provider = "k8s", InstanceId = id, IdempotencyKey = key, CreatedAt = created };

    private static ForgeRunner ForgeRunner(string id, string name, DateTimeOffset seen, bool online = false, bool busy = false) =>
        new() { Forge = "github", Id = id, Name = name, FirstSeenAt = seen, Online = online, Busy = busy };

    [Fact]
    public void Plan_InstanceWithoutRunnerRecord_DeletedOnlyAfterGrace()
    {
        var state = ObservedState.Empty with
        {
            Instances = [Instance("i-old", T0.AddMinutes(-11)), Instance("i-new", T0.AddMinutes(-9))],
        };

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [], T0);

        Assert.Equal("i-old", Assert.Single(plan.Of<DeleteInstance>()).InstanceId);
    }

    [Fact]
    public void Plan_InstanceOfRequestedRunner_IsProtectedByItsIdempotencyKey()
    {
        var requested = Runner("linux", 0, RunnerState.Requested, T0.AddSeconds(-30));
        var state = State(requested) with { Instances = [Instance("pod-x", T0.AddHours(-1), requested.IdempotencyKey)] };

        var plan = Planner().Plan(Fleet(Pool("linux", min: 1)), state, [], T0);

        Assert.Empty(plan.Of<DeleteInstance>());
    }

    [Fact]
    public void Plan_InstanceOfGoneRunner_IsAnOrphan()
    {
        var gone = Runner("linux", 0, RunnerState.Gone, T0.AddHours(-1));
        var state = State(gone) with { Instances = [Instance(gone.InstanceId!, T0.AddHours(-2), gone.IdempotencyKey)] };

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [], T0);

        Assert.Single(plan.Of<DeleteInstance>());
    }

    [Fact]
    public void Plan_ForgeRunnerWithoutRecord_UnregisteredWhenOfflineNotBusyPastGrace()
    {
        var state = ObservedState.Empty with
        {
            ForgeRunners =
            [
                ForgeRunner("1", "drover-linux-90", T0.AddMinutes(-30)),
                ForgeRunner("2", "drover-linux-91", T0.AddMinutes(-30), online: true),
                ForgeRunner("3", "drover-linux-92", T0.AddMinutes(-30), online: true, busy: true),
                ForgeRunner("4", "drover-linux-93", T0.AddMinutes(-2)),
            ],
        };

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [], T0);

        Assert.Equal("1", Assert.Single(plan.Of<UnregisterForgeRunner>()).ForgeRunnerId);
        Assert.Contains(plan.Notes, n => n.Contains("drover-linux-92", StringComparison.Ordinal) && n.Contains("busy", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_ForgeRunnerOfKnownRunner_IsNotAnOrphan()
    {
        var idle = Runner("linux", 0, RunnerState.Idle, T0.AddMinutes(-1)) with { ForgeRunnerId = "55" };
        var state = State(idle) with { ForgeRunners = [ForgeRunner("55", "renamed", T0.AddHours(-1)), ForgeRunner("56", idle.Id, T0.AddHours(-1))] };

        var plan = Planner().Plan(Fleet(Pool("linux", min: 1)), state, [], T0);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_AmongManyOwnedInstancesAndRegistrations_ActsOnTheUnownedOnesInProviderAndIdOrder()
    {
        var runners = Enumerable.Range(0, 50).Select(i => Runner("linux", i, RunnerState.Idle, T0.AddHours(-1)) with { ForgeRunnerId = $"{1000 + i}" }).ToList();
        var owned = runners.Select(r => Instance(r.InstanceId!, T0.AddHours(-2), r.IdempotencyKey));
        var ownedRegistrations = runners.Select(r => ForgeRunner(r.ForgeRunnerId!, r.Id, T0.AddHours(-2)));
        var state = State([.. runners]) with
        {
            Instances = [Instance("z-9", T0.AddHours(-1)), .. owned, Instance("a-1", T0.AddHours(-1)), Instance("m-5", T0.AddHours(-1))],
            ForgeRunners = [ForgeRunner("9", "stray-9", T0.AddHours(-1)), .. ownedRegistrations, ForgeRunner("10", "stray-10", T0.AddHours(-1))],
        };

        var plan = Planner().Plan(Fleet(Pool("linux", min: 50)), state, [], T0);

        Assert.Equal(["a-1", "m-5", "z-9"], plan.Of<DeleteInstance>().Select(d => d.InstanceId));
        Assert.Equal(["10", "9"], plan.Of<UnregisterForgeRunner>().Select(u => u.ForgeRunnerId));
    }
}
