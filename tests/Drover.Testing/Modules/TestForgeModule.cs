using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing.Modules;

namespace Drover.Testing.Modules;

/// <summary>A forge module for tests: the forge built by <c>create</c>, webhooks as the real forge of that kind takes them.</summary>
public sealed class TestForgeModule(ForgeKind kind, Func<ForgeConfig, AdapterContext, IForge> create) : IForgeModule
{
    /// <summary>
    /// A module that only says how webhooks of <paramref name="kind"/> arrive, for fleets whose forges a world module
    /// (the simulated demo) builds: as in the real build, where the forge modules sit beside the simulated one.
    /// </summary>
    public static TestForgeModule WebhooksOnly(ForgeKind kind) =>
        new(kind, (forge, _) => throw new InvalidOperationException($"forge '{forge.Name}' is built by the world module, not by this one"));

    /// <inheritdoc/>
    public ForgeKind Kind { get; } = kind;

    /// <inheritdoc/>
    public string Name => Kind.ToString().ToLowerInvariant();

    /// <summary>False for a forge kind that takes no webhooks (its module has no protocol).</summary>
    public bool TakesWebhooks { get; init; } = true;

    /// <inheritdoc/>
    public WebhookProtocol? Webhooks => !TakesWebhooks ? null : Kind == ForgeKind.GitHub
        ? new("github", ["X-GitHub-Delivery"], "X-GitHub-Event", ["X-GitHub-Event", "X-GitHub-Delivery", "Content-Type"])
        : new("gitlab", ["X-Gitlab-Event-UUID", "Idempotency-Key"], "X-Gitlab-Event", ["X-Gitlab-Event", "X-Gitlab-Event-UUID", "Content-Type"]);

    /// <inheritdoc/>
    public void CheckForge(ForgeConfig forge, ConfigFields entry)
    {
    }

    /// <inheritdoc/>
    public object? BindPool(ConfigSection pool) => null;

    /// <inheritdoc/>
    public IForge Create(ForgeConfig forge, AdapterContext context) => create(forge, context);
}
