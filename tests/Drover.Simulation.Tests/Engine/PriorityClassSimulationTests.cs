using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Core.Traces;
using Drover.Simulation.Engine;
using Drover.Simulation.FleetPlanning;
using Drover.Simulation.Traces;
using static Drover.Simulation.Tests.TestScenarios;

namespace Drover.Simulation.Tests.Engine;

/// <summary>
/// Priority classes in <c>simulate</c>: the same planner, so a trace's default-branch jobs get a shared capacity before
/// another team's pull requests whatever the weights; jobs whose ref the trace does not record are the lowest class.
/// </summary>
public sealed class PriorityClassSimulationTests
{
    private static readonly PriorityClassConfig Release = new() { Name = "release", Match = [PriorityMatch.DefaultBranch] };

    [Fact]
    public void SharedCapacity_DefaultBranchJobsOfTheLighterTeam_GetTheFirstRunnersWithClasses_TheWeightsWithout()
    {
        // web (weight 3) queues 100 pull-request jobs, data (weight 1) 100 default-branch jobs, all within 20 s.
        var jobs = Enumerable.Range(0, 200).Select(i => new SimulatedJob(i * 0.1, 120, i % 2)).ToArray();

        var withClasses = Run(Fleet([Release]), jobs, [JobRefKind.PullRequest, JobRefKind.DefaultBranch]);
        var without = Run(Fleet([]), jobs, [JobRefKind.PullRequest, JobRefKind.DefaultBranch]);
        var refsUnknown = Run(Fleet([Release]), jobs, []);

        // Once every job is queued (20 s) and while data's backlog fills the capacity (100 jobs of 2 minutes on 8
        // runners: over 20 minutes), new runners go to data with the classes, mostly to web (weight 3) without.
        static (int Web, int Data) Created(SimulationResult result) =>
            (result.Creations.Count(c => c.Pool == "web" && c.AtSeconds is > 20 and < 600), result.Creations.Count(c => c.Pool == "data" && c.AtSeconds is > 20 and < 600));
        Assert.Equal(200, withClasses.JobsCompleted);
        Assert.Equal(0, Created(withClasses).Web);
        Assert.True(Created(withClasses).Data > 0);
        Assert.True(Created(without).Web > Created(without).Data, $"without classes: {Created(without)}");

        // The trace records no refs: every job is the lowest class, and the weights decide exactly as without classes.
        Assert.Equal(without.Creations, refsUnknown.Creations);
    }

    [Fact]
    public void JobCsv_RefKindColumn_RoundTripsIntoTheFleetScenario()
    {
        var interner = new LabelSetInterner();
        var linux = interner.Intern(["linux"]);
        var trace = new Trace("t", "unit test", [
            new TraceJob(1_704_067_200_000, null, 60, linux, "acme/app") { RefKind = JobRefKind.DefaultBranch },
            new TraceJob(1_704_067_201_000, null, 60, linux, "acme/app") { RefKind = JobRefKind.PullRequest },
            new TraceJob(1_704_067_202_000, null, 60, linux, "acme/app"),
        ]);

        var text = new StringWriter();
        JobCsv.Write(trace, text);
        var read = JobCsv.Read(new StringReader(text.ToString()), "t.csv");

        Assert.Contains("queued_at,started_at,duration_s,labels,scope,ref_kind\n", text.ToString(), StringComparison.Ordinal);
        Assert.Equal(trace.Jobs, read.Jobs);
        var fleet = Fleet([Release]) with { Pools = [Pool("linux", team: null)], Teams = [] };
        var scenario = FleetScenario.Build(fleet, read).Scenario;
        Assert.Equal([JobRefKind.DefaultBranch, JobRefKind.PullRequest, null], scenario.Jobs.Select(j => scenario.RefKindOf(j.LabelSet)));

        var bad = Assert.Throws<TraceFormatException>(() => JobCsv.Read(new StringReader("queued_at,duration_s,labels,ref_kind\n2024-01-01T00:00:00Z,60,linux,main\n"), "bad.csv"));
        Assert.Contains("ref_kind", bad.Message, StringComparison.Ordinal);
        Assert.Contains("is not a ref kind", bad.Message, StringComparison.Ordinal);
    }

    private static SimulationResult Run(FleetConfig fleet, SimulatedJob[] jobs, JobRefKind?[] refKinds) =>
        new Simulator(
            new SimulationScenario { Fleet = fleet, Jobs = jobs, LabelSets = [.. fleet.Pools.Select(p => p.Labels)], LabelSetRefKinds = refKinds },
            [new ReactivePolicy()],
            Boot60 with { DrainLimit = TimeSpan.FromHours(3) }).Run();

    private static FleetConfig Fleet(IReadOnlyList<PriorityClassConfig> classes) => new()
    {
        Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
        Providers = [new ProviderConfig { Name = "sim", Type = "simulated", MaxRunners = 8 }],
        Pools = [Pool("web", "web"), Pool("data", "data")],
        Teams = [new TeamConfig { Name = "web", Weight = 3 }, new TeamConfig { Name = "data" }],
        PriorityClasses = classes,
    };

    private static PoolConfig Pool(string name, string? team) => new()
    {
        Name = name,
        Forge = "github",
        Scope = new PoolScope(ScopeKind.Organization, "acme"),
        Labels = [name],
        Provider = "sim",
        Max = 50,
        Team = team,
        IdleTimeout = TimeSpan.FromSeconds(30),
    };
}
