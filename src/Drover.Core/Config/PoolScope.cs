namespace Drover.Core.Config;

/// <summary>Where a pool's runners are registered and whose jobs it takes.</summary>
public enum ScopeKind
{
    /// <summary>GitHub repository, path <c>owner/repo</c>.</summary>
    Repository,

    /// <summary>GitHub organisation, path <c>org</c>.</summary>
    Organization,

    /// <summary>GitHub enterprise, path <c>enterprise-slug</c>.</summary>
    Enterprise,

    /// <summary>GitLab project, path <c>group/sub/project</c> or numeric id.</summary>
    Project,

    /// <summary>GitLab group, path <c>group/sub</c> or numeric id.</summary>
    Group,

    /// <summary>GitLab instance-wide runners.</summary>
    Instance,
}

public sealed record PoolScope(ScopeKind Kind, string Path)
{
    /// <summary>True when a job whose scope is <paramref name="jobScope"/> (repository full name or project path) falls under this scope.</summary>
    public bool Covers(string? jobScope)
    {
        if (Kind is ScopeKind.Enterprise or ScopeKind.Instance)
        {
            return true;
        }

        if (string.IsNullOrEmpty(jobScope))
        {
            // A job that does not say where it comes from is attributed to whichever scope saw it.
            return true;
        }

        return Kind switch
        {
            ScopeKind.Repository or ScopeKind.Project => string.Equals(jobScope, Path, StringComparison.OrdinalIgnoreCase),
            ScopeKind.Organization or ScopeKind.Group =>
                string.Equals(jobScope, Path, StringComparison.OrdinalIgnoreCase)
                || jobScope.StartsWith(Path + "/", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    /// <summary>True when every job this scope covers is also covered by <paramref name="other"/>.</summary>
    public bool IsWithin(PoolScope other)
    {
        if (other.Kind is ScopeKind.Enterprise or ScopeKind.Instance)
        {
            return true;
        }

        return Kind is not (ScopeKind.Enterprise or ScopeKind.Instance) && other.Covers(Path);
    }

    public override string ToString() => Kind is ScopeKind.Instance ? "instance" : $"{Kind.ToString().ToLowerInvariant()}:{Path}";
}
