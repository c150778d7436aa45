using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Forges.GitHub;

/// <summary>The <c>github</c> forge module: GitHub.com and GitHub Enterprise Server.</summary>
public sealed class GitHubModule : IForgeModule
{
    private readonly Func<ForgeConfig, AdapterContext, IForge> _create;

    /// <summary>The module with <paramref name="options"/> (defaults when null).</summary>
    public GitHubModule(GitHubForgeOptions? options = null)
        : this((config, context) => GitHubForgeFactory.Create(config, context, options ?? GitHubForgeOptions.Default))
    {
    }

    /// <summary>The module; <paramref name="create"/> replaces how the forge is built (tests).</summary>
    public GitHubModule(Func<ForgeConfig, AdapterContext, IForge> create)
    {
        _create = create ?? throw new ArgumentNullException(nameof(create));
    }

    /// <inheritdoc/>
    public ForgeKind Kind => ForgeKind.GitHub;

    /// <inheritdoc/>
    public string Name => "github";

    /// <inheritdoc/>
    public WebhookProtocol? Webhooks { get; } = new("github", ["X-GitHub-Delivery"], "X-GitHub-Event", ["X-GitHub-Event", "X-GitHub-Delivery", "Content-Type"]);

    /// <inheritdoc/>
    public void CheckForge(ForgeConfig forge, ConfigFields entry)
    {
    }

    /// <inheritdoc/>
    public object? BindPool(ConfigSection pool) => GitHubPoolSettings.Bind(pool ?? throw new ArgumentNullException(nameof(pool)));

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
