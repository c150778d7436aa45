using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Simulation.Demo;
using Drover.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Server.Tests;

/// <summary>
/// Priority classes end to end in the simulated world on a fake clock: the production control loop over the demo
/// world's forge and provider and a SQLite store. Two teams share one capacity limit (<c>maxRunners: 6</c>); reviews
/// (weight 3) runs pull-request jobs, release (weight 1) default-branch jobs, and class <c>release</c> (default
/// branch, deployments) is above the rest. The forge tells each job's ref as GitHub's webhooks do.
/// </summary>
public sealed class PriorityClassEndToEndTests : FakeClockWorldTests
{
    private const string FleetYaml = """
        controllerId: prio
        forges:
          - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:DROVER_E2E_UNUSED" } }
        providers:
          - name: sim
            type: simulated
            maxRunners: 6
        teams:
          - name: release
            pools: [release]
          - name: reviews
            pools: [reviews]
            weight: 3
        pools:
          - name: release
            forge: github
            scope: { org: example }
            labels: [release]
            provider: sim
            max: 50
            idleTimeout: 30s
          - name: reviews
            forge: github
            scope: { org: example }
            labels: [reviews]
            provider: sim
            max: 50
            idleTimeout: 30s
        priorityClasses:
          - name: release
            match: [default-branch, deployments]
        """;

    private const int Capacity = 6;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private FleetConfig _config = null!;

    [Fact]
    public async Task LimitFullOfPullRequests_DefaultBranchJobsOfTheLighterTeamGetTheCapacityFirst_NoBusyRunnerCut()
    {
        var world = await StartAsync();

        // reviews alone: its pull requests take the whole capacity (lent, nobody else asks).
        for (var i = 0; i < 40; i++)
        {
            world.World.Submit("github", ["reviews"], TimeSpan.FromSeconds(60));
        }

        for (var t = 0; t < 60; t += 5)
        {
            await world.CycleAsync();
        }

        Assert.Equal((0, Capacity), world.Counts);

        // release's 10 default-branch jobs of two minutes arrive while the limit is full. By weight reviews would keep
        // 3 of every 4 runners; by class release gets the capacity as reviews' busy runners finish (none is cut), and
        // reviews gets no new runner while release's unfinished jobs could use the whole capacity.
        var burstAt = Time.GetUtcNow();
        for (var i = 0; i < 10; i++)
        {
            world.World.Submit("github", ["release"], TimeSpan.FromSeconds(120));
        }

        var reviewsCreatedWhileReleaseNeedsAll = 0;
        var settled = new List<(TimeSpan After, int Release, int Reviews)>();
        var waitingNoted = false;
        for (var cycle = 0; cycle < 120 && world.ReleaseCompleted < 10; cycle++)
        {
            // The plan sees the events of its step: release's unfinished jobs are counted after them.
            var plan = await world.CycleAsync();
            if (10 - world.ReleaseCompleted >= Capacity)
            {
                reviewsCreatedWhileReleaseNeedsAll += plan.Actions.OfType<CreateRunner>().Count(c => c.Pool == "reviews");

                var after = Time.GetUtcNow() - burstAt;
                if (after > TimeSpan.FromSeconds(90))
                {
                    settled.Add((after, world.Counts.Release, world.Counts.Reviews));
                }
            }

            waitingNoted |= plan.Notes.Any(n => n.StartsWith("priority class 'other' waits on provider 'sim'", StringComparison.Ordinal));
        }

        Assert.Equal(10, world.ReleaseCompleted);
        Assert.Empty(world.BusyRunnersDeleted);
        Assert.Equal(0, reviewsCreatedWhileReleaseNeedsAll);
        Assert.True(settled.Count >= 3, $"release needed the whole capacity in only {settled.Count} settled cycles");
        Assert.All(settled, s => Assert.True(s is { Release: Capacity, Reviews: 0 }, $"{s.After}: release {s.Release}, reviews {s.Reviews}; release's class takes all {Capacity}"));
        Assert.True(waitingNoted, "the plan notes say the pull-request class waits for the higher class");

        // Once release's jobs are done, reviews gets the capacity back.
        for (var t = 0; t < 90; t += 5)
        {
            await world.CycleAsync();
        }

        Assert.Equal(Capacity, world.Counts.Reviews);
    }

    [Fact]
    public async Task Restart_TheStoreKeepsWhatTheForgeToldOfEachJob_TheRestartedLoopClassesThemAsBefore()
    {
        var world = await StartAsync();
        for (var i = 0; i < 10; i++)
        {
            world.World.Submit("github", ["reviews"], TimeSpan.FromSeconds(600));
        }

        for (var t = 0; t < 30; t += 5)
        {
            await world.CycleAsync();
        }

        for (var i = 0; i < 4; i++)
        {
            world.World.Submit("github", ["release"], TimeSpan.FromSeconds(60));
        }

        var before = await world.CycleAsync();
        const string Classes = "priority classes of provider 'sim', highest first: release needs 4, share 4; other needs 10, share 2";
        Assert.Contains(Classes, before.Notes);

        // A new leader over the same store: the jobs come back from it, with no new event about them.
        world.Restart(await StartLoopAsync(world.World));
        var after = await world.CycleAsync();

        Assert.Contains(Classes, after.Notes);
    }

    private async Task<WorldLoop> StartAsync()
    {
        _config = Fleet(FleetYaml, "priority.yaml");
        var (world, vault) = World(_config);
        return new WorldLoop(world, await StartLoopAsync(_config, world, vault, seed: 11), Store, Time);
    }

    private Task<ControlLoop> StartLoopAsync(DemoWorld world)
    {
        var vault = new RunnerCredentialVault();
        world.Attach(vault);
        return StartLoopAsync(_config, world, vault, seed: 11);
    }

    /// <summary>The world and the loop, advanced together one step at a time; the forge tells each job's ref.</summary>
    private sealed class WorldLoop(DemoWorld world, ControlLoop loop, IStateStore store, FakeTimeProvider time)
    {
        private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
        private ControlLoop _loop = loop;

        public DemoWorld World { get; } = world;

        public int ReleaseCompleted { get; private set; }

        public (int Release, int Reviews) Counts { get; private set; }

        /// <summary>Runners deleted by a plan while busy (there must be none: a busy runner is never cut).</summary>
        public List<string> BusyRunnersDeleted { get; } = [];

        /// <summary>Goes on with <paramref name="restarted"/> in place of the loop so far (a restart, or a new leader).</summary>
        public void Restart(ControlLoop restarted) => _loop = restarted;

        /// <summary>Advances the clock one step, delivers the world's job events (with their refs), runs one cycle; returns its plan.</summary>
        public async Task<Plan> CycleAsync()
        {
            time.Advance(Step);
            foreach (var e in World.Tick())
            {
                // As GitHub's workflow_job webhooks tell it: release's jobs run on the default branch; reviews' jobs on a
                // pull request's branch (a webhook alone says another branch; the poller's run event says pull request).
                var release = e.Labels.Contains("release");
                _loop.Ingest(e with { Ref = release ? "main" : "feature", RefKind = release ? JobRefKind.DefaultBranch : JobRefKind.PullRequest });
                ReleaseCompleted += release && e.Kind == JobEventKind.Completed ? 1 : 0;
            }

            var plan = await _loop.RunCycleAsync(CancellationToken.None);
            BusyRunnersDeleted.AddRange(plan.Actions.OfType<DeleteRunner>().Where(d => _busy.Contains(d.RunnerId)).Select(d => d.RunnerId));
            var runners = await store.ListLiveRunnersAsync(null, CancellationToken.None);
            _busy.Clear();
            _busy.UnionWith(runners.Where(r => r.State == Core.Runners.RunnerState.Busy).Select(r => r.Id));
            Counts = (runners.Count(r => r.IsActive && r.Pool == "release"), runners.Count(r => r.IsActive && r.Pool == "reviews"));
            return plan;
        }
    }
}
