using Drover.Core.Config;
using Drover.Forges.GitHub.ScaleSets;

namespace Drover.Forges.GitHub;

/// <summary>What a pool's <c>github:</c> section says: the runner group its runners join, or the scale set it serves.</summary>
/// <param name="RunnerGroupId">The runner group id new runners join; 1 (GitHub's default group) when not written.</param>
internal sealed record GitHubPoolSettings(long RunnerGroupId) : IPoolSettingsCheck
{
    private static readonly string[] _keys = ["runnerGroupId", "scaleSet"];

    /// <summary>The runner scale set the pool serves (demand by message session, runners by the set's JIT config); null for webhook or polling demand.</summary>
    public ScaleSetSettings? ScaleSet { get; init; }

    /// <summary>Binds the section, reporting every problem at its position; null when the section is absent.</summary>
    internal static GitHubPoolSettings? Bind(ConfigSection section)
    {
        if (section.Fields(_keys) is not { } fields)
        {
            return null;
        }

        var group = fields.Long("runnerGroupId") ?? 1;
        if (group < 1)
        {
            fields.Error("runnerGroupId", $"must be a runner group id of at least 1, got {group}");
        }

        ScaleSetSettings? scaleSet = null;
        if (fields.Has("scaleSet"))
        {
            scaleSet = ScaleSetSettings.Bind(fields.Section("scaleSet"));
            if (fields.Has("runnerGroupId"))
            {
                fields.Error("runnerGroupId", "a scale-set pool names its runner group in scaleSet.runnerGroup (the runners join the scale set's group); remove runnerGroupId");
            }
        }

        return new GitHubPoolSettings(group) { ScaleSet = scaleSet };
    }

    /// <summary>
    /// A scale-set pool runs ephemeral runners only, its labels include the set's name (what <c>runs-on</c> targets, and
    /// how Drover matches the set's jobs to the pool), and no other pool of the same forge serves the same set.
    /// </summary>
    public IEnumerable<(string Field, string Message)> Check(PoolConfig pool, IReadOnlyList<PoolConfig> pools)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(pools);
        if (ScaleSet is not { } settings)
        {
            yield break;
        }

        if (!pool.Ephemeral)
        {
            yield return ("ephemeral", "a scale-set pool (github.scaleSet) runs ephemeral runners only; remove ephemeral: false");
        }

        var name = settings.NameFor(pool);
        if (!pool.Labels.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            yield return ("labels", $"its labels must include its scale set's name '{name}' (what runs-on targets, and how Drover matches the set's jobs to this pool)");
        }

        var key = SetKey(pool, settings);
        var other = pools.TakeWhile(p => !ReferenceEquals(p, pool))
            .FirstOrDefault(p => p.Forge == pool.Forge && p.ForgeSettings is GitHubPoolSettings { ScaleSet: { } s } && SetKey(p, s) == key);
        if (other is not null)
        {
            yield return (settings.Name is null ? "github.scaleSet" : "github.scaleSet.name", $"pool '{other.Name}' serves the same scale set '{name}'; each scale set belongs to one pool");
        }
    }

    /// <summary>A scale set's listener is made when <c>drover serve</c> starts: its name, group and deletion are start-bound.</summary>
    public string? StartBound => ScaleSet is { } s ? StartBoundOf(s) : null;

    private static string StartBoundOf(ScaleSetSettings set)
    {
        var name = set.Name ?? "(the pool's name)";
        var delete = set.Delete ? ", delete" : string.Empty;
        return $"scale set '{name}' (runner group '{set.RunnerGroup}'{delete})";
    }

    private static string SetKey(PoolConfig pool, ScaleSetSettings settings) =>
        $"{ScopePaths.Of(pool.Scope)}|{settings.RunnerGroup}|{settings.NameFor(pool)}".ToUpperInvariant();
}
