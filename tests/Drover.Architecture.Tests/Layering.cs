namespace Drover.Architecture.Tests;

/// <summary>
/// The reference rules of ADR 0008, as pure functions over project names so that each can be shown to fail on a made-up
/// reference list. A "Drover project" is <c>Drover</c> (the CLI) or any <c>Drover.*</c> project.
/// </summary>
internal static class Layering
{
    public const string Core = "Drover.Core";
    public const string Engine = "Drover.Engine";
    public const string Server = "Drover.Server";
    public const string Simulation = "Drover.Simulation";

    /// <summary>The rule that keeps the server free of adapters, also checked on the types it names.</summary>
    public const string ServerRule = "Drover.Server knows no forge, provider or the simulator (Drover.Forges.*, Drover.Providers.*, Drover.Simulation)";

    /// <summary>Every rule, checked against every project it applies to.</summary>
    public static IReadOnlyList<DependencyRule> Rules { get; } =
    [
        new(
            "Drover.Core references no other Drover project",
            project => project == Core,
            (_, reference) => !IsDrover(reference)),
        new(
            "Drover.Engine references only Drover.Core among Drover projects",
            project => project == Engine,
            (_, reference) => !IsDrover(reference) || reference == Core),
        new(
            ServerRule,
            project => project == Server,
            (_, reference) => !IsAdapter(reference) && reference != Simulation),
        new(
            "an adapter (Drover.Forges.*, Drover.Providers.*) references only Drover.Core among Drover projects, and no other adapter",
            IsAdapter,
            (_, reference) => !IsDrover(reference) || reference == Core),
    ];

    /// <summary>True for the CLI (<c>Drover</c>, assembly <c>drover</c>) and every <c>Drover.*</c> project.</summary>
    public static bool IsDrover(string name) =>
        string.Equals(name, "Drover", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Drover.", StringComparison.Ordinal);

    /// <summary>True for a forge or provider adapter project.</summary>
    public static bool IsAdapter(string name) =>
        name.StartsWith("Drover.Forges.", StringComparison.Ordinal) || name.StartsWith("Drover.Providers.", StringComparison.Ordinal);

    /// <summary>
    /// One message per reference of <paramref name="project"/> that a rule applying to it forbids, naming the project,
    /// the reference, where it was found (<paramref name="source"/>) and the rule.
    /// </summary>
    public static IReadOnlyList<string> Violations(string project, IEnumerable<string> references, string source) =>
        [.. from rule in Rules
            where rule.AppliesTo(project)
            from reference in references.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            where reference != project && !rule.Allows(project, reference)
            select $"{project} references {reference} ({source}): breaks the rule \"{rule.Name}\""];

    /// <summary>
    /// One message per type name in <paramref name="typeNames"/> (what Drover.Server defines or refers to) that lives in a
    /// forge, provider or the simulator.
    /// </summary>
    public static IReadOnlyList<string> ServerTypeViolations(IEnumerable<string> typeNames) =>
        [.. typeNames
            .Where(t => IsAdapter(t) || t.StartsWith(Simulation + ".", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(t => $"{Server} names the type {t}: breaks the rule \"{ServerRule}\"")];

    /// <summary>
    /// Every project reachable from <paramref name="project"/> through <paramref name="directReferences"/> (project name
    /// to the names it references), without <paramref name="project"/> itself.
    /// </summary>
    public static IReadOnlySet<string> Closure(string project, IReadOnlyDictionary<string, IReadOnlyList<string>> directReferences)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            foreach (var next in directReferences.GetValueOrDefault(current) ?? [])
            {
                if (next != project && seen.Add(next))
                {
                    pending.Push(next);
                }
            }
        }

        return seen;
    }
}
