using Drover.Core.Config;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary><c>providers[].maxConcurrentCreates</c>.</summary>
public sealed class ProviderConcurrencyConfigTests
{
    private static string WithProviderLine(string line) =>
        Fleet(Pool()).Replace("    type: kubernetes\n", $"    type: kubernetes\n    {line}\n", StringComparison.Ordinal);

    [Fact]
    public void MaxConcurrentCreates_Unset_IsTheDefault()
    {
        var result = Load(Fleet(Pool()));

        AssertValid(result);
        Assert.Equal(ProviderConfig.DefaultMaxConcurrentCreates, result.Config!.Providers.Single().MaxConcurrentCreates);
    }

    [Fact]
    public void MaxConcurrentCreates_Set_Binds()
    {
        var result = Load(WithProviderLine("maxConcurrentCreates: 3"));

        AssertValid(result);
        Assert.Equal(3, result.Config!.Providers.Single().MaxConcurrentCreates);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    public void MaxConcurrentCreates_OutOfRange_IsRefusedAtItsPlace(string value)
    {
        var result = Load(WithProviderLine($"maxConcurrentCreates: {value}"));

        AssertSingleError(result, 11, 27, "providers[0].maxConcurrentCreates", "runs 1 to 256 creates at once");
    }
}
