using Drover.Core.Config;
using Drover.Forges.GitHub.ScaleSets;

namespace Drover.Forges.GitHub;

/// <summary>What a pool's <c>github:</c> section says: the runner group its runners join, or the scale set it serves.</summary>
/// <param name="RunnerGroupId">The runner group id new runners join; 1 (GitHub's default group) when not written.</param>
internal sealed record GitHubPoolSettings(long RunnerGroupId)
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
}
