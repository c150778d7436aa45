namespace Drover.Architecture.Tests;

/// <summary>
/// The only public types of Drover.Engine and of the adapter assemblies, each with the reason it cannot be internal.
/// Everything else there is internal, visible to its own test project through <c>InternalsVisibleTo</c>. Adding an entry
/// needs a user outside the assembly that cannot do without it (the composition root in src/Drover, Drover.Server,
/// bench/, or a public signature of another entry).
/// </summary>
internal static class PublicSurface
{
    /// <summary>Full type name to the reason it is public.</summary>
    public static IReadOnlyDictionary<string, string> Allowed { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Drover.Engine: what Drover.Server hosts.
        ["Drover.Engine.Loop.ControlLoop"] = "Drover.Server builds, runs, reloads and reads the loop",
        ["Drover.Engine.Loop.ControlLoopOptions"] = "Drover.Server sets the resync interval; a ControlLoop constructor parameter",
        ["Drover.Engine.Loop.LoopSnapshot"] = "ControlLoop.Snapshot; Drover.Server's read API and metrics render it",
        ["Drover.Engine.Execution.CallResilienceOptions"] = "ControlLoopOptions.Calls (retries, timeouts of adapter calls)",
        ["Drover.Engine.Metrics.EngineMetrics"] = "Drover.Server creates the meter and exports it; a ControlLoop constructor parameter",
        ["Drover.Engine.Leadership.LeaderElection"] = "Drover.Server runs leader election around the loop",
        ["Drover.Engine.Leadership.LeaderElectionOptions"] = "Drover.Server sets the lease timings; a LeaderElection constructor parameter",
        ["Drover.Engine.Leadership.LeaderRole"] = "LeaderElection.Role; Drover.Server reports it",
        ["Drover.Engine.Health.AdapterHealth"] = "Drover.Server's read API names breaker states as the health report does",
        ["Drover.Engine.Health.StoreProbe"] = "Drover.Server probes the store it opened for /api/v1/health",
        ["Drover.Engine.Health.HealthReport"] = "what /api/v1/health returns; Drover.Server renders it",

        // Adapter modules: registered by the composition root (src/Drover/Adapters.cs).
        ["Drover.Forges.GitHub.GitHubModule"] = "the GitHub forge module the composition root registers",
        ["Drover.Forges.GitHub.GitHubForgeOptions"] = "GitHubModule's constructor parameter (secret lookup, poll interval, timeouts)",
        ["Drover.Forges.GitLab.GitLabModule"] = "the GitLab forge module the composition root registers",
        ["Drover.Forges.GitLab.GitLabForgeOptions"] = "GitLabModule's constructor parameter (poll interval, timeouts)",
        ["Drover.Providers.Kubernetes.KubernetesModule"] = "the kubernetes provider module the composition root registers",
        ["Drover.Providers.Process.ProcessModule"] = "the process provider module the composition root registers",
        ["Drover.Providers.External.ExternalModule"] = "the external (GARM interface) provider module the composition root registers",
        ["Drover.Providers.External.ExternalContractSuite"] = "drover provider test runs it against a configured external provider",
        ["Drover.Providers.Ec2.Ec2Module"] = "the ec2 provider module the composition root registers",

        // `drover trace pull github|gitlab` (src/Drover/TracePullCommand.cs) builds a forge API client and a trace puller.
        ["Drover.Forges.GitHub.Api.GitHubApiClient"] = "drover trace pull github builds the REST client",
        ["Drover.Forges.GitHub.Api.RateLimitGate"] = "GitHubApiClient's constructor parameter; drover trace pull github sets its limits",
        ["Drover.Forges.GitHub.Api.GitHubApiException"] = "drover trace pull github tells API refusals from crashes by this type",
        ["Drover.Forges.GitHub.Auth.IGitHubAuth"] = "GitHubApiClient.Auth",
        ["Drover.Forges.GitHub.Auth.TokenAuth"] = "drover trace pull github authenticates with a token reference",
        ["Drover.Forges.GitHub.Traces.GitHubTracePuller"] = "drover trace pull github",
        ["Drover.Forges.GitLab.Api.GitLabApiClient"] = "drover trace pull gitlab builds the REST client",
        ["Drover.Forges.GitLab.Api.RequestBudget"] = "GitLabApiClient's constructor parameter; drover trace pull gitlab sets its budget",
        ["Drover.Forges.GitLab.Api.GitLabApiException"] = "drover trace pull gitlab tells API refusals from crashes by this type",
        ["Drover.Forges.GitLab.Traces.GitLabTracePuller"] = "drover trace pull gitlab",
    };

    /// <summary>
    /// One message per public type of <paramref name="assembly"/> that <paramref name="allowed"/> does not list, naming
    /// the type, the assembly and the rule.
    /// </summary>
    public static IReadOnlyList<string> Violations(string assembly, IEnumerable<string> publicTypes, IReadOnlyDictionary<string, string> allowed) =>
        [.. publicTypes.Where(t => !allowed.ContainsKey(t)).Order(StringComparer.Ordinal).Select(t =>
            $"{t} is public in {assembly}: breaks the rule \"no public type in Drover.Engine or an adapter beyond the allow-list\"; " +
            "make it internal (InternalsVisibleTo its test project) or add it to PublicSurface.Allowed with the reason")];

    /// <summary>
    /// One message per allow-list entry that no checked assembly exports any more (renamed, removed or made internal):
    /// the list must stay exactly the public surface.
    /// </summary>
    public static IReadOnlyList<string> StaleEntries(IEnumerable<string> publicTypes, IReadOnlyDictionary<string, string> allowed)
    {
        var exported = publicTypes.ToHashSet(StringComparer.Ordinal);
        return [.. allowed.Keys.Where(t => !exported.Contains(t)).Order(StringComparer.Ordinal).Select(t =>
            $"{t} is on PublicSurface.Allowed but not public in Drover.Engine or any adapter: remove the entry")];
    }
}
