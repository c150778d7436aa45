using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Forges.GitHub;
using Drover.Forges.GitLab;
using Drover.Providers.External;
using Drover.Providers.Ec2;
using Drover.Providers.Kubernetes;
using Drover.Providers.Process;
using Drover.Simulation.Demo;

namespace Drover.Cli;

/// <summary>
/// The composition root of the adapters: every adapter module this build runs. <c>validate</c>, <c>plan</c>,
/// <c>simulate</c>, <c>serve</c> and reload all load fleets through these modules.
/// A fleet whose providers are all <c>simulated</c> runs in the simulated world and needs none of these.
/// </summary>
internal static class Adapters
{
    public static AdapterCatalog Catalog() => new AdapterCatalog()
        .Add(new SimulatedModule())
        .Add(new ProcessModule())
        .Add(new KubernetesModule())
        .Add(new ExternalModule())
        .Add(new Ec2Module())
        .Add(new GitHubModule())
        .Add(new GitLabModule());

    /// <summary>What <c>validate</c>, <c>plan</c> and <c>serve</c> check a fleet with: the policies and every module.</summary>
    public static FleetConfigValidationOptions ValidationOptions() => Catalog().ValidationOptions(PolicyRegistry.CreateDefault().Policies);
}
