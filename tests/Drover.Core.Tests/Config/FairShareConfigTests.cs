using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary><c>providers[].maxRunners</c> (a capacity pools share) and <c>teams[].weight</c> (a team's share of it).</summary>
public sealed class FairShareConfigTests
{
    private static string WithProviderLines(string text, params string[] lines) =>
        text.Replace("    type: kubernetes\n", "    type: kubernetes\n" + string.Concat(lines.Select(l => $"    {l}\n")), StringComparison.Ordinal);

    [Fact]
    public void MaxRunnersAndWeight_Valid_AreBound()
    {
        var result = Load(WithProviderLines(Fleet(Pool(extra: ["team: web"]), Pool("arm", labels: "labels: [arm]")), "maxRunners: 12")
            + "teams:\n  - name: web\n    weight: 3\n");

        AssertValid(result);
        Assert.Equal(12, result.Config!.Providers[0].MaxRunners);
        Assert.Equal(3, result.Config.Teams[0].ShareWeight);
    }

    [Fact]
    public void MaxRunners_Negative_IsRefusedAtItsPlace()
    {
        var result = Load(WithProviderLines(Fleet(Pool()), "maxRunners: -1"));

        AssertSingleError(result, 11, 17, "providers[0].maxRunners", "must not be negative, got -1");
    }

    [Fact]
    public void MaxRunners_NotANumber_IsRefusedAtItsPlace()
    {
        var result = Load(WithProviderLines(Fleet(Pool()), "maxRunners: lots"));

        AssertSingleError(result, 11, 17, "providers[0].maxRunners", "lots");
    }

    [Fact]
    public void Weight_BelowOne_IsRefusedAtItsPlace()
    {
        var result = Load(WithProviderLines(Fleet(Pool(extra: ["team: web"])), "maxRunners: 4") + "teams:\n  - name: web\n    weight: 0\n");

        AssertSingleError(result, 21, 13, "teams[0].weight", "a weight is at least 1, got 0");
    }

    [Fact]
    public void Weight_WithoutASharedCapacity_IsRefusedAsWithoutEffect()
    {
        var result = Load(Fleet(Pool(extra: ["team: web"])) + "teams:\n  - name: web\n    weight: 2\n");

        AssertSingleError(result, 20, 13, "teams[0].weight", "shares no capacity");
    }
}
