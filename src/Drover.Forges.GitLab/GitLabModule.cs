using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Forges.GitLab;

/// <summary>The <c>gitlab</c> forge module: GitLab.com and self-managed GitLab.</summary>
public sealed class GitLabModule : IForgeModule
{
    private readonly Func<ForgeConfig, AdapterContext, IForge> _create;

    /// <summary>The module with <paramref name="options"/> (defaults when null).</summary>
    public GitLabModule(GitLabForgeOptions? options = null)
        : this((config, context) => GitLabForgeFactory.Create(config, context, options))
    {
    }

    /// <summary>The module; <paramref name="create"/> replaces how the forge is built (tests).</summary>
    public GitLabModule(Func<ForgeConfig, AdapterContext, IForge> create)
    {
        _create = create ?? throw new ArgumentNullException(nameof(create));
    }

    /// <inheritdoc/>
    public ForgeKind Kind => ForgeKind.GitLab;

    /// <inheritdoc/>
    public string Name => "gitlab";

    /// <inheritdoc/>
    public WebhookProtocol? Webhooks { get; } = new("gitlab", ["X-Gitlab-Event-UUID", "Idempotency-Key"], "X-Gitlab-Event", ["X-Gitlab-Event", "X-Gitlab-Event-UUID", "Content-Type"]);

    /// <inheritdoc/>
    public void CheckForge(ForgeConfig forge, ConfigFields entry)
    {
    }

    /// <inheritdoc/>
    public object? BindPool(ConfigSection pool) => GitLabPoolSettings.Bind(pool ?? throw new ArgumentNullException(nameof(pool)));

    /// <inheritdoc/>
    public IForge Create(ForgeConfig forge, AdapterContext context)
    {
        try
        {
            return _create(forge, context);
        }
        catch (InvalidOperationException e)
        {
            throw new AdapterConfigurationException(e.Message, e);
        }
    }
}
