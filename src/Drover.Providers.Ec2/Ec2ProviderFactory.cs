using Amazon.Runtime;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.Ec2;

/// <summary>Makes <c>ec2</c> providers for the adapter catalog.</summary>
internal static class Ec2ProviderFactory
{
    /// <summary>The provider type this factory serves.</summary>
    public const string Type = "ec2";

    /// <summary>
    /// Builds the provider <paramref name="config"/> describes from the settings its module bound. Credentials come from
    /// the AWS SDK's default chain (environment, shared profile, web identity / IRSA, instance metadata) unless
    /// <paramref name="credentials"/> is given (tests); they are resolved at the first call, not here, so missing
    /// credentials show in the provider's health and as its calls' failures (refused for the configuration) instead of
    /// stopping Drover and the fleet's other providers.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">The settings were not bound by the module.</exception>
    public static IProvider Create(ProviderConfig config, AdapterContext context) => Create(config, context, null, null);

    /// <summary>As <see cref="Create(ProviderConfig, AdapterContext)"/>, with explicit credentials and visibility grace (tests).</summary>
    internal static Ec2Provider Create(ProviderConfig config, AdapterContext context, AWSCredentials? credentials, TimeSpan? visibilityGrace)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        var settings = config.ModuleSettings as Ec2ProviderSettings
            ?? throw new AdapterConfigurationException($"providers[{config.Name}].settings: not bound by the ec2 module; load the fleet through the adapter catalog");
        settings = settings with { ProviderName = config.Name };
        var api = new Ec2Api(Ec2Api.Client(settings, credentials), config.Name, context.Time);
        return new Ec2Provider(settings, api, context.CurrentFleet, context.Vault, context.Bootstrap, context.Time, context.Logs.CreateLogger("Drover.Providers.Ec2"), visibilityGrace);
    }
}
