using Drover.Core.Adapters;
using Drover.Core.Config;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.Process;

/// <summary>Makes <c>process</c> providers for the adapter catalog: <c>.AddProvider("process", ProcessProviderFactory.Create)</c>.</summary>
internal static class ProcessProviderFactory
{
    /// <summary>The provider type this factory serves.</summary>
    public const string Type = "process";

    /// <summary>Builds the provider <paramref name="config"/> describes.</summary>
    /// <exception cref="ArgumentException">
    /// A setting is wrong; the message names each as <c>providers[NAME].settings.KEY</c> and says what is wrong.
    /// </exception>
    public static IProvider Create(ProviderConfig config, AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        var settings = ProcessProviderSettings.Parse(config);
        settings = settings with
        {
            StateDirectory = settings.StateDirectory ?? ProcessProviderSettings.DefaultStateDirectory(settings.ProviderName, settings.WorkRoot, context.DataDirectory),
        };
        return new ProcessProvider(settings, context.Vault, context.Time, context.Logs.CreateLogger("Drover.Providers.Process"));
    }
}
