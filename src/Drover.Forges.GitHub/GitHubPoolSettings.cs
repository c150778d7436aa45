using Drover.Core.Config;

namespace Drover.Forges.GitHub;

/// <summary>What a pool's <c>github:</c> section says: the runner group its runners join.</summary>
/// <param name="RunnerGroupId">The runner group id new runners join; 1 (GitHub's default group) when not written.</param>
internal sealed record GitHubPoolSettings(long RunnerGroupId)
{
    private static readonly string[] _keys = ["runnerGroupId"];

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

        return new GitHubPoolSettings(group);
    }
}
