using Drover.Core.Policies;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Policies;

public sealed class ReactivePolicyTests
{
    private static PolicyContext Context(int queued, int running, int idle) => new()
    {
        Pool = Pool("linux"),
        Limits = new PoolLimits(0, idle, 100, null),
        Demand = new PoolDemand(queued, running, []),
        Runners = PoolRunnerCounts.None,
        Now = T0,
    };

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(3, 0, 0, 3)]
    [InlineData(3, 4, 0, 7)]
    [InlineData(3, 4, 2, 9)]
    [InlineData(0, 0, 5, 5)]
    public void Decide_IdlePlusAssignedJobs(int queued, int running, int idle, int expected)
    {
        var decision = new ReactivePolicy().Decide(Context(queued, running, idle));

        Assert.Equal(expected, decision.Desired);
        Assert.Contains($"= {expected}", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateSettings_AnyKey_IsRejected()
    {
        var errors = new ReactivePolicy().ValidateSettings(new Dictionary<string, string> { ["idleCount"] = "3" });

        Assert.Equal("idleCount", Assert.Single(errors).Key);
    }

    [Fact]
    public void Registry_DuplicateNames_Refused()
    {
        Assert.Throws<ArgumentException>(() => new PolicyRegistry([new ReactivePolicy(), new ReactivePolicy()]));
    }

    [Fact]
    public void Registry_UnknownName_SaysWhichAreKnown()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => PolicyRegistry.CreateDefault().Get("magic"));

        Assert.Contains("reactive", error.Message, StringComparison.Ordinal);
    }
}
