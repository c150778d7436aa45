using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Providers.Ec2;

/// <summary>The <c>ec2</c> provider module: an AWS EC2 instance per runner (docs/providers/ec2.md).</summary>
public sealed class Ec2Module : IProviderModule
{
    private readonly Func<ProviderConfig, AdapterContext, IProvider> _create;

    /// <summary>The module; <paramref name="create"/> replaces how the provider is built (tests).</summary>
    public Ec2Module(Func<ProviderConfig, AdapterContext, IProvider>? create = null)
    {
        _create = create ?? Ec2ProviderFactory.Create;
    }

    /// <inheritdoc/>
    public string Type => Ec2ProviderFactory.Type;

    /// <summary>
    /// Binds <c>settings</c>: <c>region</c> and <c>bootstrapUrl</c> (Drover's URL as instances reach it) required,
    /// <c>endpoint</c>, <c>bootstrapTokenValidity</c>, <c>spotBreaker</c> and <c>listPageSize</c> optional; every
    /// problem reported where it is written.
    /// </summary>
    public object BindSettings(ConfigSection settings) => Ec2ProviderSettings.Bind(settings);

    /// <summary>
    /// Binds the pool's <c>template.ec2</c> (required: the image and instance types, or a launch template). The flat
    /// <c>template.settings</c> mapping is not read by this provider (a pool placed on several providers may hold other
    /// providers' keys there).
    /// </summary>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(legacySettings);
        return Ec2TemplateSettings.Bind(template);
    }

    /// <inheritdoc/>
    public IProvider Create(ProviderConfig provider, AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(provider);
        try
        {
            return _create(provider, context);
        }
        catch (ArgumentException e)
        {
            throw new AdapterConfigurationException($"providers[{provider.Name}]: {e.Message}", e);
        }
    }
}
