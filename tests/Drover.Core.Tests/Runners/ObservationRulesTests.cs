using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Runners;

public sealed class ObservationRulesTests
{
    private static readonly Dictionary<string, IReadOnlyList<ProviderInstance>> _noInstances = new() { ["k8s"] = [] };

    [Fact]
    public void Changes_BootingRunnerWhoseRegistrationIsOnline_BecomesIdle()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddMinutes(-1));
        var registration = new ForgeRunner { Forge = "github", Id = "42", Name = runner.Id, Online = true, FirstSeenAt = T0 };

        var change = Assert.Single(Changes(runner, [registration], Listed(runner)));

        Assert.Equal([RunnerState.Registering, RunnerState.Idle], change.Path);
        Assert.Equal("42", change.Change!(runner).ForgeRunnerId);
    }

    [Fact]
    public void Changes_BootingRunnerWhoseInstanceIsGonePastTheGrace_Fails()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0 - ObservationRules.InstanceListGrace);

        var change = Assert.Single(Changes(runner, [], _noInstances));

        Assert.Equal([RunnerState.Failed], change.Path);
        Assert.Contains("no longer listed", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_BootingRunnerWhoseInstanceIsMissingWithinTheGrace_IsLeftAlone()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddSeconds(-5));

        Assert.Empty(Changes(runner, [], _noInstances));
    }

    [Fact]
    public void Changes_ProviderThatDidNotAnswer_LeavesItsRunnersAlone()
    {
        var runner = Runner("linux", 1, RunnerState.Provisioning, T0.AddHours(-1));

        Assert.Empty(Changes(runner, [], new Dictionary<string, IReadOnlyList<ProviderInstance>>()));
    }

    [Fact]
    public void Changes_IdleRunnerWhoseRegistrationDisappeared_FailsOnlyOnAListThatStartedAfterItsLastChange()
    {
        var runner = Runner("linux", 1, RunnerState.Idle, T0.AddMinutes(-1));

        Assert.Equal([RunnerState.Failed], Assert.Single(Changes(runner, [], Listed(runner))).Path);
        Assert.Empty(ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges([]), T0.AddMinutes(-2), [], Listed(runner), T0));
    }

    private static IReadOnlyList<ObservedChange> Changes(Runner runner, IReadOnlyList<ForgeRunner> registrations, IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> instances) =>
        ObservationRules.Changes([runner], Fleet(Pool("linux")), Forges(registrations), T0, Array.Empty<Job>(), instances, T0);

    private static Dictionary<string, IReadOnlyList<ForgeRunner>> Forges(IReadOnlyList<ForgeRunner> registrations) => new() { ["github"] = registrations };

    private static Dictionary<string, IReadOnlyList<ProviderInstance>> Listed(Runner runner) =>
        new() { ["k8s"] = [new ProviderInstance { Provider = "k8s", InstanceId = runner.InstanceId!, IdempotencyKey = runner.IdempotencyKey, CreatedAt = runner.CreatedAt }] };
}
