using Drover.Core.Config;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary><c>pools[].lostJobReruns</c>: how often a job lost to the infrastructure is re-run; 0 opts out.</summary>
public sealed class LostJobRerunsConfigTests
{
    [Fact]
    public void LostJobReruns_Unset_IsTwo()
    {
        var result = Load(Fleet(Pool()));

        AssertValid(result);
        Assert.Equal(2, result.Config!.Pools.Single().LostJobReruns);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void LostJobReruns_Set_Binds(int value)
    {
        var result = Load(Fleet(Pool(extra: $"lostJobReruns: {value}")));

        AssertValid(result);
        Assert.Equal(value, result.Config!.Pools.Single().LostJobReruns);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("11")]
    public void LostJobReruns_OutOfRange_IsRefusedAtItsPlace(string value)
    {
        var result = Load(Fleet(Pool(extra: $"lostJobReruns: {value}")));

        AssertSingleError(result, 17, 20, "pools[0].lostJobReruns", "re-runs a lost job 0 (never) to 10 times");
    }
}
