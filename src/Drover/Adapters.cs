using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Engine.Execution;
using Drover.Forges.GitHub;
using Drover.Forges.GitLab;
using Drover.Providers.Kubernetes;
using Drover.Providers.Process;

namespace Drover.Cli;

/// <summary>
/// The composition root of the adapters: every provider type and forge kind this build of <c>drover serve</c> can run.
/// A fleet whose providers are all <c>simulated</c> runs in the simulated world and needs none of these.
/// </summary>
internal static class Adapters
{
    public static AdapterCatalog Catalog() => new AdapterCatalog()
        .AddProvider("process", ProcessProviderFactory.Create, ProcessProviderSettings.Check)
        .AddProvider(KubernetesProviderFactory.Type, KubernetesProviderFactory.Create, KubernetesProviderSettings.Check)
        .AddForge(ForgeKind.GitHub, (config, context) => GitHubForgeFactory.Create(config, context))
        .AddForge(ForgeKind.GitLab, (config, context) => GitLabForgeFactory.Create(config, context));

    /// <summary>What <c>validate</c>, <c>plan</c> and <c>serve</c> check a fleet with: the policies and every provider's settings.</summary>
    public static FleetConfigValidationOptions ValidationOptions() => Catalog().ValidationOptions(PolicyRegistry.CreateDefault().Policies);
}
