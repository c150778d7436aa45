using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing.Modules;

namespace Drover.Testing.Modules;

/// <summary>A provider module for tests: any mapping of string settings, the provider built by <c>create</c>.</summary>
public sealed class TestProviderModule(string type, Func<ProviderConfig, AdapterContext, IProvider> create) : IProviderModule
{
    /// <inheritdoc/>
    public string Type { get; } = type;

    /// <inheritdoc/>
    public object BindSettings(ConfigSection settings) => settings.StringMap();

    /// <inheritdoc/>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings) => null;

    /// <inheritdoc/>
    public IProvider Create(ProviderConfig provider, AdapterContext context) => create(provider, context);
}
