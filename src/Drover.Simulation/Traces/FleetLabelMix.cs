using Drover.Core.Config;
using Drover.Core.Matching;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>A synthetic label mix shaped like a fleet: one entry per pool of a forge, so each pool gets jobs it takes.</summary>
public static class FleetLabelMix
{
    /// <summary>
    /// One entry per pool of <paramref name="forge"/>: the pool's labels (GitHub) or tags (GitLab), weighted by its
    /// <c>max</c> (at least 1); with <paramref name="withScopes"/>, from a repository or project its scope covers
    /// (<c>ORG/app</c> for an organisation or group, the repository or project itself, none for an enterprise or instance).
    /// </summary>
    /// <exception cref="ArgumentException">The fleet has no forge named <paramref name="forge"/>, or it has no pools.</exception>
    public static IReadOnlyList<LabelWeight> For(FleetConfig fleet, string forge, bool withScopes)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var kind = fleet.FindForge(forge)?.Kind
            ?? throw new ArgumentException($"the fleet has no forge named '{forge}'; forges: {string.Join(", ", fleet.Forges.Select(f => f.Name))}", nameof(forge));
        var pools = fleet.Pools.Where(p => p.Forge == forge).ToList();
        if (pools.Count == 0)
        {
            throw new ArgumentException($"forge '{forge}' has no pools", nameof(forge));
        }

        return [.. pools.Select(p => new LabelWeight(LabelSet.Create([.. LabelRules.RunnerLabelsOf(p, kind)]), Math.Max(1, p.Max), withScopes ? ScopeIn(p.Scope) : null))];
    }

    private static string? ScopeIn(PoolScope scope) => scope.Kind switch
    {
        ScopeKind.Organization or ScopeKind.Group => scope.Path + "/app",
        ScopeKind.Repository or ScopeKind.Project => scope.Path,
        _ => null,
    };
}
