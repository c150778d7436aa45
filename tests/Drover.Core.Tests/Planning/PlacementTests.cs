using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Planning;

public sealed class PlacementTests
{
    private static readonly CircuitBreakerState Open = new() { Status = BreakerStatus.Open, ConsecutiveFailures = 5, OpenedAt = T0.AddSeconds(-10) };

    private static PoolConfig TwoClusters(PlacementMode mode = PlacementMode.Priority, int westWeight = 1, int eastWeight = 1) =>
        Pool("linux", max: 20) with
        {
            Provider = "k8s",
            Providers = [new PoolProvider("k8s", westWeight), new PoolProvider("ec2", eastWeight)],
            PlacementMode = mode,
        };

    private static ObservedState WithBreakers(ObservedState state, string provider, CircuitBreakerState breaker) =>
        state with { Breakers = new Dictionary<string, CircuitBreakerState> { [provider] = breaker } };

    [Fact]
    public void Priority_AllHealthy_EveryRunnerGoesToTheFirstProvider()
    {
        var plan = Planner().Plan(Fleet(TwoClusters()), ObservedState.Empty, [Queued("1", "linux"), Queued("2", "linux"), Queued("3", "linux")], T0);

        Assert.Equal(["k8s", "k8s", "k8s"], plan.Of<CreateRunner>().Select(c => c.Provider));
    }

    [Fact]
    public void Priority_FirstBreakerOpen_NewRunnersGoToTheNext()
    {
        var plan = Planner().Plan(Fleet(TwoClusters()), WithBreakers(ObservedState.Empty, "k8s", Open), [Queued("1", "linux"), Queued("2", "linux")], T0);

        var creates = plan.Of<CreateRunner>();
        Assert.Equal(["ec2", "ec2"], creates.Select(c => c.Provider));
        Assert.All(creates, c => Assert.Contains("placed on ec2", c.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Priority_EveryBreakerOpen_WithholdsAndNamesEachProvider()
    {
        var state = ObservedState.Empty with { Breakers = new Dictionary<string, CircuitBreakerState> { ["k8s"] = Open, ["ec2"] = Open } };

        var plan = Planner().Plan(Fleet(TwoClusters()), state, [Queued("1", "linux")], T0);

        Assert.Empty(plan.Of<CreateRunner>());
        var note = Assert.Single(plan.Pools.Single().Notes);
        Assert.Contains("1 creation(s) withheld", note, StringComparison.Ordinal);
        Assert.Contains("'k8s' circuit open", note, StringComparison.Ordinal);
        Assert.Contains("'ec2' circuit open", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Replacement_OfARunnerThatFailedOnTheFirst_GoesToTheNext_WhileNewRunnersStayFirst()
    {
        var failed = Runner("linux", 0, RunnerState.Failed, T0.AddMinutes(-1), attempt: 1) with { FailureReason = "Unschedulable: 0/3 nodes are available" };

        var plan = Planner().Plan(Fleet(TwoClusters()), State(failed), [Queued("1", "linux"), Queued("2", "linux")], T0);

        var creates = plan.Of<CreateRunner>();
        Assert.Equal(2, creates.Count);
        var replacement = Assert.Single(creates, c => c.Attempt == 1);
        Assert.Equal("ec2", replacement.Provider);
        Assert.Contains("instead of k8s, where it failed", replacement.Reason, StringComparison.Ordinal);
        Assert.Equal("k8s", Assert.Single(creates, c => c.Attempt == 0).Provider);
    }

    [Fact]
    public void Replacement_WhenTheOtherProviderCannotTakeIt_StaysOnTheProviderItFailedOn()
    {
        var failed = Runner("linux", 0, RunnerState.Failed, T0.AddMinutes(-1), attempt: 1);

        var plan = Planner().Plan(Fleet(TwoClusters()), WithBreakers(State(failed), "ec2", Open), [Queued("1", "linux")], T0);

        Assert.Equal("k8s", Assert.Single(plan.Of<CreateRunner>()).Provider);
    }

    [Fact]
    public void Weighted_SpreadsNewRunnersByWeight_CountingRunnersAlreadyThere()
    {
        var state = State(Runner("linux", 0, RunnerState.Busy, T0.AddMinutes(-1), provider: "ec2", job: new Drover.Core.Demand.JobKey("github", "x")));
        var jobs = Enumerable.Range(0, 8).Select(i => Queued(i.ToString(), "linux")).ToList();

        var plan = Planner().Plan(Fleet(TwoClusters(PlacementMode.Weighted, westWeight: 3, eastWeight: 1)), state, jobs, T0);

        var byProvider = plan.Of<CreateRunner>().GroupBy(c => c.Provider).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(7, byProvider["k8s"]);
        Assert.Equal(1, byProvider["ec2"]);
    }

    [Fact]
    public void Weighted_ProviderWithOpenBreaker_IsSkipped()
    {
        var jobs = Enumerable.Range(0, 4).Select(i => Queued(i.ToString(), "linux")).ToList();

        var plan = Planner().Plan(Fleet(TwoClusters(PlacementMode.Weighted)), WithBreakers(ObservedState.Empty, "ec2", Open), jobs, T0);

        Assert.All(plan.Of<CreateRunner>(), c => Assert.Equal("k8s", c.Provider));
        Assert.Equal(4, plan.Of<CreateRunner>().Count);
    }

    [Fact]
    public void HalfOpen_OneProbeAtATime_NextProbeOnlyAfterTheFirstStopsBooting()
    {
        var halfOpen = Open with { OpenedAt = T0.AddMinutes(-2) };
        var jobs = Enumerable.Range(0, 3).Select(i => Queued(i.ToString(), "linux")).ToList();
        var probe = Runner("linux", 0, RunnerState.Provisioning, T0.AddSeconds(-5));

        var first = Planner().Plan(Fleet(Pool("linux")), WithBreakers(ObservedState.Empty, "k8s", halfOpen), jobs, T0);
        var whileBooting = Planner().Plan(Fleet(Pool("linux")), WithBreakers(State(probe), "k8s", halfOpen), jobs, T0);
        var oldBooting = Planner().Plan(Fleet(Pool("linux")), WithBreakers(State(probe with { CreatedAt = T0.AddMinutes(-5) }), "k8s", halfOpen), jobs, T0);

        Assert.Single(first.Of<CreateRunner>());
        Assert.Empty(whileBooting.Of<CreateRunner>());
        Assert.Contains(whileBooting.Pools.Single().Notes, n => n.Contains("probe runner still booting", StringComparison.Ordinal));
        Assert.Single(oldBooting.Of<CreateRunner>());
    }

    [Fact]
    public void HalfOpenFirst_ProbeGoesThere_RestGoToTheNext()
    {
        var halfOpen = Open with { OpenedAt = T0.AddMinutes(-2) };
        var jobs = Enumerable.Range(0, 3).Select(i => Queued(i.ToString(), "linux")).ToList();

        var plan = Planner().Plan(Fleet(TwoClusters()), WithBreakers(ObservedState.Empty, "k8s", halfOpen), jobs, T0);

        Assert.Equal(["k8s", "ec2", "ec2"], plan.Of<CreateRunner>().Select(c => c.Provider));
    }
}
