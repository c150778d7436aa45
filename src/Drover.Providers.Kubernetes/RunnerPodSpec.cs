using Drover.Core.Config;

namespace Drover.Providers.Kubernetes;

/// <summary>Everything a runner pod is rendered from (<see cref="PodTemplate"/>), without the secret value itself.</summary>
internal sealed record RunnerPodSpec
{
    /// <summary>The fleet's controller id.</summary>
    public required string ControllerId { get; init; }

    /// <summary>The provider (cluster) name.</summary>
    public required string Provider { get; init; }

    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The pool.</summary>
    public required string Pool { get; init; }

    /// <summary>The runner's idempotency key (also its name at the forge).</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The credential's kind: <c>jit-config</c> (GitHub) or <c>runner-token</c> (GitLab).</summary>
    public required string CredentialKind { get; init; }

    /// <summary>The forge's URL (GitLab runners are told where to fetch their job).</summary>
    public Uri? ForgeUrl { get; init; }

    /// <summary>The pool's instance template.</summary>
    public required InstanceTemplate Template { get; init; }

    /// <summary>The pool's provider-specific template settings, already read.</summary>
    public required KubernetesTemplateSettings Settings { get; init; }

    /// <summary>True while the pool's spot pods fall back to on-demand nodes.</summary>
    public bool SpotFallback { get; init; }

    /// <summary>The spot node label.</summary>
    public KeyValuePair<string, string> SpotNodeLabel { get; init; } = new("karpenter.sh/capacity-type", "spot");

    /// <summary>The spot taint, <c>key=value:Effect</c>, if spot nodes carry one.</summary>
    public string? SpotTaint { get; init; }
}
