using Drover.Core.Config;

namespace Drover.Core.Adapters;

/// <summary>
/// Everything Drover knows of one forge kind: its name, the rules of its <c>forges[i]</c> entry and of each pool's
/// <c>&lt;kind&gt;:</c> section, the webhook protocol it speaks, and how to build the forge adapter.
/// </summary>
public interface IForgeModule
{
    /// <summary>The forge kind.</summary>
    ForgeKind Kind { get; }

    /// <summary>The <c>kind:</c> spelling, e.g. <c>github</c>; also the key of a pool's section for this forge.</summary>
    string Name { get; }

    /// <summary>How webhooks of this forge arrive, or null when the forge takes none.</summary>
    WebhookProtocol? Webhooks { get; }

    /// <summary>Checks the forge entry beyond the common fields (e.g. which authentication it accepts).</summary>
    void CheckForge(ForgeConfig forge, ConfigFields entry);

    /// <summary>
    /// Binds a pool's <c>&lt;kind&gt;:</c> section (possibly absent) for a pool of a forge of this kind; null when the pool
    /// needs nothing beyond the common pool fields.
    /// </summary>
    object? BindPool(ConfigSection pool);

    /// <summary>Builds the forge adapter.</summary>
    /// <exception cref="AdapterConfigurationException">The environment does not allow it (unset secret variable, unreadable key file).</exception>
    IForge Create(ForgeConfig forge, AdapterContext context);
}
