using Drover.Core.Adapters;
using Drover.Core.Config;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.External;

/// <summary>Makes <c>external</c> providers from the settings their module bound.</summary>
internal static class ExternalProviderFactory
{
    /// <summary>The provider type this factory serves.</summary>
    public const string Type = "external";

    /// <summary>Builds the provider <paramref name="config"/> describes.</summary>
    /// <exception cref="AdapterConfigurationException">The executable or the provider's config file is missing.</exception>
    public static IProvider Create(ProviderConfig config, AdapterContext context) => Build(config, context);

    /// <summary>As <see cref="Create"/>, typed.</summary>
    public static ExternalProvider Build(ProviderConfig config, AdapterContext context, IReadOnlyDictionary<string, string>? hostEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        if (config.ModuleSettings is not ExternalProviderSettings settings)
        {
            throw new AdapterConfigurationException($"providers[{config.Name}].settings: not bound by the external provider module");
        }

        if (!File.Exists(settings.Executable))
        {
            throw new AdapterConfigurationException($"providers[{config.Name}].settings.executable: '{settings.Executable}' does not exist");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(settings.Executable) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            throw new AdapterConfigurationException($"providers[{config.Name}].settings.executable: '{settings.Executable}' is not executable (chmod +x)");
        }

        if (settings.ConfigFile.Length > 0 && !File.Exists(settings.ConfigFile))
        {
            throw new AdapterConfigurationException($"providers[{config.Name}].settings.configFile: '{settings.ConfigFile}' does not exist");
        }

        var executable = new ExternalExecutable(settings.Executable, settings.EnvironmentVariables, context.Time, hostEnvironment);
        return new ExternalProvider(config.Name, settings, executable, context, context.Logs.CreateLogger("Drover.Providers.External"));
    }
}
