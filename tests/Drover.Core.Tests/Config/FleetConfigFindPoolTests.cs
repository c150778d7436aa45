using Drover.Core.Config;

namespace Drover.Core.Tests.Config;

/// <summary><see cref="FleetConfig.FindPool"/> through its index: the same answers as a scan of the pools, for every copy.</summary>
public sealed class FleetConfigFindPoolTests
{
    [Fact]
    public void FindPool_ThousandPools_FindsEach_FirstOfADuplicateName_NullForUnknown()
    {
        var pools = Enumerable.Range(0, 1000).Select(i => Pool($"p{i}", "github")).ToList();
        pools.Add(Pool("p7", "gitlab"));
        var config = new FleetConfig { Pools = pools };

        Assert.All(pools.Take(1000), p => Assert.Same(p, config.FindPool(p.Name)));
        Assert.Equal("github", config.FindPool("p7")!.Forge);
        Assert.Null(config.FindPool("nowhere"));
    }

    [Fact]
    public void FindPool_CopyWithOtherPools_AnswersFromItsOwnPools_AndTheOriginalFromItsOwn()
    {
        var config = new FleetConfig { Pools = [.. Enumerable.Range(0, 20).Select(i => Pool($"p{i}", "github"))] };
        Assert.NotNull(config.FindPool("p3"));

        var copy = config with { Pools = [.. config.Pools.Where(p => p.Name != "p3"), Pool("extra", "gitlab")] };

        Assert.Null(copy.FindPool("p3"));
        Assert.Equal("gitlab", copy.FindPool("extra")!.Forge);
        Assert.NotNull(config.FindPool("p3"));
        Assert.Null(config.FindPool("extra"));
    }

    [Fact]
    public void Equality_IsTheConfigurations_WhetherOrNotAnIndexWasBuilt()
    {
        var pools = Enumerable.Range(0, 20).Select(i => Pool($"p{i}", "github")).ToList();
        var indexed = new FleetConfig { Pools = pools };
        var fresh = new FleetConfig { Pools = pools };
        Assert.NotNull(indexed.FindPool("p1"));

        Assert.Equal(fresh, indexed);
        Assert.Equal(fresh.GetHashCode(), indexed.GetHashCode());
        Assert.NotEqual(fresh, indexed with { Pools = [.. pools.Take(19)] });
    }

    private static PoolConfig Pool(string name, string forge) => new() { Name = name, Forge = forge, Scope = new PoolScope(ScopeKind.Repository, "acme/app"), Provider = "sim", Labels = ["linux"] };
}
