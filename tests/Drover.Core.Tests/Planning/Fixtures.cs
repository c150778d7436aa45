using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Runners;

namespace Drover.Core.Tests.Planning;

/// <summary>Small builders for fleets, runners and jobs used across planner tests.</summary>
internal static class Fixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static Planner Planner() => new(PolicyRegistry.CreateDefault());

    public static PoolConfig Pool(string name, int min = 0, int max = 10, int idle = 0, string[]? labels = null, int priority = 0, string provider = "k8s", string forge = "github") => new()
    {
        Name = name,
        Forge = forge,
        Scope = new PoolScope(ScopeKind.Organization, "acme"),
        Labels = labels ?? [name],
        Provider = provider,
        Min = min,
        Max = max,
        Idle = idle,
        Priority = priority,
        IdleTimeout = TimeSpan.FromMinutes(5),
    };

    public static FleetConfig Fleet(params PoolConfig[] pools) => new()
    {
        Forges =
        [
            new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") },
            new ForgeConfig { Name = "gitlab", Kind = ForgeKind.GitLab, Url = new Uri("https://gitlab.com") },
        ],
        Providers = [new ProviderConfig { Name = "k8s", Type = "kubernetes" }, new ProviderConfig { Name = "ec2", Type = "ec2" }],
        Pools = pools,
    };

    public static Runner Runner(string pool, long ordinal, RunnerState state, DateTimeOffset since, DateTimeOffset? created = null, string provider = "k8s", JobKey? job = null, int attempt = 0)
    {
        var key = RunnerKeys.For("drover", pool, ordinal);
        return new Runner
        {
            Id = key,
            Pool = pool,
            Provider = provider,
            IdempotencyKey = key,
            Ordinal = ordinal,
            State = state,
            StateSince = since,
            CreatedAt = created ?? since,
            Job = job,
            Attempt = attempt,
            InstanceId = state is RunnerState.Requested ? null : "i-" + key,
        };
    }

    public static Job Queued(string id, params string[] labels) => Queued(id, T0.AddMinutes(-1), labels);

    public static Job Queued(string id, DateTimeOffset at, params string[] labels) => new()
    {
        Key = new JobKey("github", id),
        State = JobState.Queued,
        Labels = labels,
        Scope = "acme/web",
        QueuedAt = at,
        LastEventAt = at,
    };

    public static ObservedState State(params Runner[] runners) => new() { Runners = runners };

    public static IReadOnlyList<T> Of<T>(this Plan plan) => plan.Actions.OfType<T>().ToList();
}
