using Drover.Core.Config;

namespace Drover.Forges.GitHub;

/// <summary>The REST path prefix of a pool scope: <c>/repos/{o}/{r}</c>, <c>/orgs/{org}</c> or <c>/enterprises/{e}</c>.</summary>
internal static class ScopePaths
{
    /// <summary>The path prefix runner calls go under.</summary>
    /// <exception cref="ArgumentException">The scope is a GitLab one or its path is not of the expected form.</exception>
    public static string Of(PoolScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.Kind switch
        {
            ScopeKind.Repository when scope.Path.Split('/') is [{ Length: > 0 } owner, { Length: > 0 } repo] =>
                $"/repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(repo)}",
            ScopeKind.Organization when scope.Path.Length > 0 && !scope.Path.Contains('/') => $"/orgs/{Uri.EscapeDataString(scope.Path)}",
            ScopeKind.Enterprise when scope.Path.Length > 0 && !scope.Path.Contains('/') => $"/enterprises/{Uri.EscapeDataString(scope.Path)}",
            _ => throw new ArgumentException($"scope {scope}: not a GitHub repo (owner/name), org or enterprise", nameof(scope)),
        };
    }

    /// <summary>The repository path prefix of <c>owner/repo</c>.</summary>
    public static string Repository(string fullName) => Of(new PoolScope(ScopeKind.Repository, fullName));
}
