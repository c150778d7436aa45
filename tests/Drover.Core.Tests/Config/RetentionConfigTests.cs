using Drover.Core.Config;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary><c>retention:</c>: how long the store keeps events, finished jobs, gone runners and cost lines.</summary>
public sealed class RetentionConfigTests
{
    [Fact]
    public void Retention_Unset_KeepsThirtyDaysAndCostLinesNinety()
    {
        var result = Load(Fleet(Pool()));

        AssertValid(result);
        Assert.Equal(
            (TimeSpan.FromDays(30), TimeSpan.FromDays(30), TimeSpan.FromDays(30), TimeSpan.FromDays(90)),
            (result.Config!.Retention.Events, result.Config.Retention.Jobs, result.Config.Retention.Runners, result.Config.Retention.CostLines));
    }

    [Fact]
    public void Retention_Set_Binds_UnsetKeysKeepTheirDefault()
    {
        var result = Load(Fleet(Pool()) + "retention:\n  events: 7d\n  runners: 2d12h\n  costLines: 400d\n");

        AssertValid(result);
        Assert.Equal(
            new RetentionConfig { Events = TimeSpan.FromDays(7), Runners = TimeSpan.FromHours(60), CostLines = TimeSpan.FromDays(400) },
            result.Config!.Retention);
    }

    [Fact]
    public void Retention_CostLinesShorterThanAMonthsBudget_IsRefusedAtItsPlace()
    {
        var result = Load(Fleet(Pool()) + "retention:\n  costLines: 10d\n");

        AssertSingleError(result, 18, 14, "retention.costLines", "must be at least 32d");
    }

    [Fact]
    public void Retention_Zero_IsRefusedAtItsPlace()
    {
        var result = Load(Fleet(Pool()) + "retention:\n  events: 0s\n");

        AssertSingleError(result, 18, 11, "retention.events", "must be longer than 0s");
    }

    [Fact]
    public void Retention_UnknownKey_IsRefusedAtItsPlace()
    {
        var result = Load(Fleet(Pool()) + "retention:\n  deliveries: 1d\n");

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal((18, "retention.deliveries"), (error.Line, error.Path));
    }
}
