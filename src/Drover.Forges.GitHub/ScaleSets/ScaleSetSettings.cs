using System.Text.RegularExpressions;
using Drover.Core.Config;

namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>
/// A pool's <c>github.scaleSet:</c> block: the pool serves a GitHub runner scale set. Its jobs arrive through the
/// scale set's message session (no webhook, no polling) and its runners are made from the scale set's JIT configs.
/// </summary>
/// <param name="Name">The scale set's name (what <c>runs-on:</c> targets); null: the pool's name.</param>
/// <param name="RunnerGroup">The runner group, by name (GitHub's <c>default</c> group when not written).</param>
/// <param name="Delete">
/// True: the leader deletes the scale set at GitHub (once none of its runners is busy) and the pool serves nothing —
/// the only way Drover ever deletes one.
/// </param>
internal sealed partial record ScaleSetSettings(string? Name, string RunnerGroup, bool Delete)
{
    /// <summary>GitHub's default runner group's name.</summary>
    public const string DefaultRunnerGroup = "default";

    private static readonly string[] _keys = ["name", "runnerGroup", "delete"];

    /// <summary>The name this pool's scale set has.</summary>
    public string NameFor(PoolConfig pool) => Name ?? pool.Name;

    /// <summary>Binds the block (written empty, it takes every default), reporting every problem at its position.</summary>
    internal static ScaleSetSettings? Bind(ConfigSection section)
    {
        if (!section.Exists || (!section.IsMapping && !section.IsList && section.Scalar is null))
        {
            return new ScaleSetSettings(null, DefaultRunnerGroup, false);
        }

        if (section.Fields(_keys) is not { } fields)
        {
            return null;
        }

        var name = fields.String("name");
        if (name is not null && !ValidName().IsMatch(name))
        {
            fields.Error("name", $"'{name}' is not a scale set name: 1 to 45 letters, digits, '-', '_' or '.'");
        }

        var group = fields.String("runnerGroup");
        if (group is { Length: 0 } || (group is not null && string.IsNullOrWhiteSpace(group)))
        {
            fields.Error("runnerGroup", "must name a runner group (leave it out for the default group)");
        }

        return new ScaleSetSettings(name, group ?? DefaultRunnerGroup, fields.Bool("delete") ?? false);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,45}$")]
    private static partial Regex ValidName();
}
