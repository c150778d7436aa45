using BenchmarkDotNet.Attributes;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Runners;

namespace Drover.Benchmarks;

/// <summary>One full planning cycle for a large fleet: 1,000 pools × 10 runners with 10,000 queued jobs.</summary>
[MemoryDiagnoser]
public class PlannerBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly Planner _planner = new(PolicyRegistry.CreateDefault());
    private FleetConfig _fleet = null!;
    private ObservedState _state = null!;
    private List<Job> _jobs = null!;

    [Params(1_000)]
    public int Pools { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var pools = Enumerable.Range(0, Pools).Select(i => new PoolConfig
        {
            Name = $"pool-{i:D4}",
            Forge = i % 2 == 0 ? "github" : "gitlab",
            Scope = i % 2 == 0 ? new PoolScope(ScopeKind.Organization, "acme") : new PoolScope(ScopeKind.Group, "acme"),
            Labels = i % 2 == 0 ? ["linux", $"team-{i}"] : [],
            Tags = i % 2 == 0 ? [] : ["docker", $"team-{i}"],
            Provider = i % 3 == 0 ? "ec2" : "k8s",
            Max = 40,
            Idle = 1,
            Priority = i % 4,
            Schedules = i % 10 == 0 ? [new ScheduleConfig { Cron = "* 8-18 * * 1-5", TimeZone = "Europe/Berlin", Idle = 3 }] : [],
        }).ToList();
        _fleet = new FleetConfig
        {
            Forges =
            [
                new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") },
                new ForgeConfig { Name = "gitlab", Kind = ForgeKind.GitLab, Url = new Uri("https://gitlab.com") },
            ],
            Providers = [new ProviderConfig { Name = "k8s", Type = "kubernetes" }, new ProviderConfig { Name = "ec2", Type = "ec2" }],
            Pools = pools,
        };

        var states = new[] { RunnerState.Idle, RunnerState.Busy, RunnerState.Busy, RunnerState.Registering, RunnerState.Idle, RunnerState.Busy, RunnerState.Provisioning, RunnerState.Busy, RunnerState.Failed, RunnerState.Draining };
        var runners = new List<Runner>(Pools * 10);
        _jobs = new List<Job>(10_000 + (Pools * 10));
        foreach (var pool in pools)
        {
            for (var r = 0; r < 10; r++)
            {
                var key = RunnerKeys.For("drover", pool.Name, r);
                var state = states[r];
                JobKey? job = null;
                if (state == RunnerState.Busy)
                {
                    job = new JobKey(pool.Forge, $"{pool.Name}-running-{r}");
                    _jobs.Add(new Job { Key = job.Value, State = JobState.Running, Labels = pool.Labels, LastEventAt = Now.AddMinutes(-3) });
                }

                runners.Add(new Runner
                {
                    Id = key, Pool = pool.Name, Provider = pool.Provider, IdempotencyKey = key, Ordinal = r, State = state,
                    StateSince = Now.AddMinutes(-(r + 1)), CreatedAt = Now.AddMinutes(-(r + 30)), Job = job, Attempt = state == RunnerState.Failed ? 1 : 0,
                    InstanceId = "i-" + key,
                });
            }
        }

        for (var j = 0; j < 10_000; j++)
        {
            var pool = pools[(j * 7) % Pools];
            string[] labels = pool.Forge == "github" ? ["self-hosted", "linux", pool.Labels[1]] : [pool.Tags[1]];
            _jobs.Add(new Job
            {
                Key = new JobKey(pool.Forge, $"queued-{j}"), State = JobState.Queued, Labels = labels, Scope = "acme/app",
                QueuedAt = Now.AddSeconds(-j % 600), LastEventAt = Now.AddSeconds(-j % 600),
            });
        }

        _state = new ObservedState
        {
            Runners = runners,
            Instances = runners.Select(r => new ProviderInstance { Provider = r.Provider, InstanceId = r.InstanceId!, IdempotencyKey = r.IdempotencyKey, CreatedAt = r.CreatedAt }).ToList(),
            ForgeRunners = runners.Select((r, i) => new ForgeRunner { Forge = i % 2 == 0 ? "github" : "gitlab", Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Name = r.Id, Online = true, FirstSeenAt = r.CreatedAt }).ToList(),
        };
    }

    [Benchmark]
    public Plan FullPlan() => _planner.Plan(_fleet, _state, _jobs, Now);
}
