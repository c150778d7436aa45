using System.Globalization;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Core.Traces;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Baselines;

/// <summary>
/// Every baseline variant <c>--policies all</c> runs, each configured as its anchor behaves (see
/// docs/adr/0002-simulator-and-baselines.md): ARC scale-set (minRunners 0 and 5), ARC webhook, GARM (minIdle 0 and 5),
/// philips (no pool and a pool of 5), GitLab taskscaler, static, and Drover's own <c>reactive</c> and <c>idle-pool</c>.
/// </summary>
public static class BaselineCatalog
{
    /// <summary>
    /// The variants for a trace. The static fleet's size is the time-weighted p95 of concurrent jobs: of the whole trace
    /// for a single pool, or of each pool's own jobs when <paramref name="labelSets"/> gives several pools (one per label
    /// set, matched by their labels).
    /// </summary>
    public static IReadOnlyList<BaselineEntry> For(IReadOnlyList<SimulatedJob> jobs, IReadOnlyList<IReadOnlyList<string>>? labelSets = null)
    {
        var staticSize = Math.Max(1, ConcurrencyPercentile(jobs, 0.95));
        var perPool = labelSets is { Count: > 1 } ? PerLabelSet(jobs, labelSets) : null;
        return
        [
            ArcScaleSet(0),
            ArcScaleSet(5),
            new("arc-webhook", () => new ArcWebhookPolicy(), p => p with { Idle = 0, IdleTimeout = TimeSpan.Zero }),
            Garm(0),
            Garm(5),
            Philips(0),
            Philips(5),
            new("gitlab-taskscaler", () => new GitLabTaskscalerPolicy(), p => p with { Idle = 5, IdleTimeout = TimeSpan.FromMinutes(20) }),
            new(
                perPool is null ? $"static-{staticSize}" : "static-p95",
                () => new StaticPolicy(),
                p => p with { Min = 0, Idle = 0, IdleTimeout = TimeSpan.Zero, PolicySettings = Settings(StaticPolicy.RunnersKey, perPool?.SizeFor(p.Labels) ?? staticSize) }),
            new("reactive", () => new ReactivePolicy(), p => p with { Idle = 0 }),
            new("idle-pool", () => new IdlePoolPolicy(), p => p with { Idle = 5 }),
        ];
    }

    private static PoolSizes PerLabelSet(IReadOnlyList<SimulatedJob> jobs, IReadOnlyList<IReadOnlyList<string>> labelSets)
    {
        var sizes = new int[labelSets.Count];
        foreach (var group in jobs.GroupBy(j => j.LabelSet))
        {
            sizes[group.Key] = Math.Max(1, ConcurrencyPercentile(group.ToList(), 0.95));
        }

        return new PoolSizes(labelSets, sizes);
    }

    /// <summary>Static fleet sizes per label set, found by a pool's labels.</summary>
    private sealed record PoolSizes(IReadOnlyList<IReadOnlyList<string>> LabelSets, int[] Sizes)
    {
        public int SizeFor(IReadOnlyList<string> labels)
        {
            for (var i = 0; i < LabelSets.Count; i++)
            {
                if (LabelSets[i].SequenceEqual(labels, StringComparer.Ordinal))
                {
                    return Math.Max(1, Sizes[i]);
                }
            }

            return 1;
        }
    }

    /// <summary>The variant named <paramref name="label"/>, or null.</summary>
    public static BaselineEntry? Find(IReadOnlyList<SimulatedJob> jobs, string label) =>
        For(jobs).FirstOrDefault(e => string.Equals(e.Label, label, StringComparison.OrdinalIgnoreCase));

    /// <summary>The time-weighted <paramref name="p"/> quantile of the number of jobs running at once if each started on arrival.</summary>
    public static int ConcurrencyPercentile(IReadOnlyList<SimulatedJob> jobs, double p)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return 0;
        }

        var edges = new List<(double At, int Delta)>(jobs.Count * 2);
        foreach (var job in jobs)
        {
            edges.Add((job.ArrivalSeconds, +1));
            edges.Add((job.ArrivalSeconds + job.DurationSeconds, -1));
        }

        edges.Sort(static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Delta.CompareTo(b.Delta));
        var timeAt = new Dictionary<int, double>();
        var level = 0;
        for (var i = 0; i < edges.Count - 1; i++)
        {
            level += edges[i].Delta;
            timeAt[level] = timeAt.GetValueOrDefault(level) + (edges[i + 1].At - edges[i].At);
        }

        var total = timeAt.Values.Sum();
        var seen = 0.0;
        foreach (var (count, time) in timeAt.OrderBy(kv => kv.Key))
        {
            seen += time;
            if (seen >= p * total)
            {
                return count;
            }
        }

        return timeAt.Keys.Max();
    }

    private static BaselineEntry ArcScaleSet(int minRunners) =>
        new($"arc-scale-set-min-{minRunners}", () => new ArcScaleSetPolicy(), p => p with { Idle = minRunners, IdleTimeout = TimeSpan.Zero });

    private static BaselineEntry Garm(int minIdle) =>
        new($"garm-minidle-{minIdle}", () => new GarmPolicy(), p => p with { Idle = minIdle, IdleTimeout = TimeSpan.Zero });

    private static BaselineEntry Philips(int pool) =>
        new(pool == 0 ? "philips" : $"philips-pool-{pool}", () => new PhilipsPolicy(), p => p with { Idle = pool, IdleTimeout = TimeSpan.FromMinutes(5) });

    private static Dictionary<string, string> Settings(string key, int value) =>
        new(StringComparer.Ordinal) { [key] = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>A one-pool GitHub fleet for traces without a fleet of their own: org scope, labels <paramref name="labels"/>, max <paramref name="max"/>.</summary>
    public static FleetConfig SinglePoolFleet(int max = 2000, params string[] labels) => new()
    {
        Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
        Providers = [new ProviderConfig { Name = "sim", Type = "simulated" }],
        Pools =
        [
            new PoolConfig
            {
                Name = "default",
                Forge = "github",
                Scope = new PoolScope(ScopeKind.Organization, "acme"),
                Labels = labels.Length == 0 ? ["linux"] : labels,
                Provider = "sim",
                Max = max,
            },
        ],
    };
}
