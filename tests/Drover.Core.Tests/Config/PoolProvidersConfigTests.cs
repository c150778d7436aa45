using Drover.Core.Config;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary><c>providers:</c> and <c>placement:</c> of a pool that places runners on several providers.</summary>
public sealed class PoolProvidersConfigTests
{
    /// <summary>The header with a second provider <c>east</c> (lines 11-12), so the first pool starts at line 14.</summary>
    private static string TwoProviders(string pool) =>
        Fleet(pool).Replace("    type: kubernetes\n", "    type: kubernetes\n  - name: east\n    type: kubernetes\n", StringComparison.Ordinal);

    private static string PoolWith(params string[] lines) =>
        string.Join('\n', Pool(extra: lines).Split('\n').Where(l => !l.StartsWith("    provider:", StringComparison.Ordinal)));

    [Fact]
    public void Providers_Names_BindInPriorityOrder_FirstIsTheProvider()
    {
        var result = Load(TwoProviders(PoolWith("providers: [east, k8s]")));

        AssertValid(result);
        var pool = result.Config!.Pools.Single();
        Assert.Equal("east", pool.Provider);
        Assert.Equal([new PoolProvider("east"), new PoolProvider("k8s")], pool.Placement);
        Assert.Equal(PlacementMode.Priority, pool.PlacementMode);
    }

    [Fact]
    public void Providers_WithWeights_BindWeightedPlacement()
    {
        var result = Load(TwoProviders(PoolWith("placement: weighted", "providers:", "  - { name: k8s, weight: 3 }", "  - east")));

        AssertValid(result);
        var pool = result.Config!.Pools.Single();
        Assert.Equal([new PoolProvider("k8s", 3), new PoolProvider("east", 1)], pool.Placement);
        Assert.Equal(PlacementMode.Weighted, pool.PlacementMode);
    }

    [Fact]
    public void Provider_Alone_IsAOneEntryPlacement()
    {
        var result = Load(TwoProviders(Pool()));

        AssertValid(result);
        Assert.Equal([new PoolProvider("k8s")], result.Config!.Pools.Single().Placement);
    }

    [Fact]
    public void ProviderAndProviders_Both_IsRefusedAtProvider()
    {
        var result = Load(TwoProviders(Pool(extra: "providers: [east]")));

        AssertSingleError(result, 18, 15, "pools[0].provider", "a pool names 'provider' or 'providers', not both");
    }

    [Fact]
    public void Providers_UnknownAndDuplicate_ReportEachItem()
    {
        var result = Load(TwoProviders(PoolWith("providers: [k8s, west, k8s]")));

        Assert.Null(result.Config);
        Assert.Equal(2, result.Errors.Count);
        AssertError(result.Errors[0], 18, 22, "pools[0].providers[1]", "unknown provider 'west' (defined providers: east, k8s)");
        AssertError(result.Errors[1], 18, 28, "pools[0].providers[2]", "provider 'k8s' is listed twice");
    }

    [Fact]
    public void Providers_ZeroWeightAndEmptyList_AreRefused()
    {
        var zero = Load(TwoProviders(PoolWith("providers:", "  - { name: k8s, weight: 0 }")));
        var empty = Load(TwoProviders(PoolWith("providers: []")));
        var neither = Load(TwoProviders(PoolWith()));

        AssertSingleError(zero, 19, 30, "pools[0].providers[0].weight", "a weight is at least 1, got 0");
        AssertSingleError(empty, 18, 16, "pools[0].providers", "expected a non-empty list");
        AssertSingleError(neither, 14, 5, "pools[0].provider", "required field 'provider' is missing");
    }

    [Fact]
    public void Placement_UnknownMode_ListsTheModes()
    {
        var result = Load(TwoProviders(PoolWith("providers: [k8s, east]", "placement: random")));

        AssertSingleError(result, 19, 16, "pools[0].placement", "unknown value 'random'; expected one of: priority, weighted");
    }
}
