using Drover.Simulation.FleetPlanning;
using static Drover.Simulation.Tests.FleetPlanning.TestFleets;

namespace Drover.Simulation.Tests.FleetPlanning;

public class FleetSettingTests
{
    [Fact]
    public void Parse_KnownFields_ChangeOnlyThatPool()
    {
        var fleet = Load();

        var changed = FleetSetting.Parse("pools.gpu.idle=2", fleet).ApplyTo(fleet);
        changed = FleetSetting.Parse("pools.gpu.idleTimeout=90s", changed).ApplyTo(changed);
        changed = FleetSetting.Parse("pools.gpu.policy=predictive", changed).ApplyTo(changed);
        changed = FleetSetting.Parse("pools.gpu.policySettings.targetWaitP95=20s", changed).ApplyTo(changed);

        var gpu = changed.Pools.Single(p => p.Name == "gpu");
        Assert.Equal(2, gpu.Idle);
        Assert.Equal(TimeSpan.FromSeconds(90), gpu.IdleTimeout);
        Assert.Equal("predictive", gpu.Policy);
        Assert.Equal("20s", gpu.PolicySettings["targetWaitP95"]);
        Assert.Equal(fleet.Pools.Single(p => p.Name == "linux"), changed.Pools.Single(p => p.Name == "linux"));
    }

    [Theory]
    [InlineData("pools.gpu.idel=2", "'idel' is not a field a simulation can set on a pool; known: min, max, idle, priority, idleTimeout, maxLifetime, policy, policySettings.KEY")]
    [InlineData("pools.gpux.idle=2", "no pool is named 'gpux'; pools: linux, gpu, e2e, shell")]
    [InlineData("gpu.idle=2", "'gpu.idle' is not a path such as pools.gpu.idle (pools.POOL.FIELD)")]
    [InlineData("pools.gpu.idle=two", "pools.gpu.idle: 'two' is not a whole number")]
    [InlineData("pools.gpu.idleTimeout=soon", "pools.gpu.idleTimeout: 'soon' is not a duration such as 90s, 5m or 1h30m")]
    [InlineData("pools.gpu.idle", "expected pools.POOL.FIELD=VALUE, e.g. pools.gpu.idle=2")]
    public void Parse_Problem_SaysWhatAndWhere(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => FleetSetting.Parse(text, Load()));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Sweep_WholeNumbers_StepOneByDefault()
    {
        var sweep = FleetSweep.Parse("pools.linux.idle=0..8", Load());

        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8"], sweep.Values);
        Assert.Equal("pools.linux.idle", sweep.Path);
    }

    [Fact]
    public void Sweep_Durations_WithStep()
    {
        var sweep = FleetSweep.Parse("pools.linux.idleTimeout=1m..10m/3m", Load());

        Assert.Equal(["1m", "4m", "7m", "10m"], sweep.Values);
    }

    [Theory]
    [InlineData("pools.linux.policy=a..b", "pools.linux.policy: only whole-number (min, max, idle, priority) and duration (idleTimeout, maxLifetime) fields can be swept; set others with --set")]
    [InlineData("pools.linux.idle=8..0", "pools.linux.idle: a sweep goes up from its first value to its last by a positive step")]
    [InlineData("pools.linux.idle=0..100", "pools.linux.idle: the range has 101 values; a sweep runs at most 41 (use a larger step)")]
    [InlineData("pools.linux.idle=3", "'3' is not a range such as 0..8 or 1m..10m/1m")]
    public void Sweep_Problem_SaysWhat(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => FleetSweep.Parse(text, Load()));

        Assert.Equal(message, e.Message);
    }
}
