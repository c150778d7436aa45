using Drover.Core.Config;

namespace Drover.Forges.GitLab;

/// <summary>What a pool's <c>gitlab:</c> section says: the access level of the runners it registers.</summary>
/// <param name="AccessLevel"><c>not_protected</c> or <c>ref_protected</c>; null: GitLab's default.</param>
internal sealed record GitLabPoolSettings(string? AccessLevel)
{
    private static readonly string[] _keys = ["accessLevel"];
    private static readonly string[] _levels = ["not_protected", "ref_protected"];

    /// <summary>Binds the section, reporting every problem at its position; null when the section is absent.</summary>
    internal static GitLabPoolSettings? Bind(ConfigSection section)
    {
        if (section.Fields(_keys) is not { } fields)
        {
            return null;
        }

        var level = fields.String("accessLevel");
        if (level is not null && !_levels.Contains(level, StringComparer.Ordinal))
        {
            fields.Error("accessLevel", $"unknown value '{level}'; expected one of: {string.Join(", ", _levels)}");
        }

        return new GitLabPoolSettings(level);
    }
}
