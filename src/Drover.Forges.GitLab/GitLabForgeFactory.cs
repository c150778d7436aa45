using Drover.Core.Adapters;
using Drover.Core.Config;
using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitLab;

/// <summary>Makes GitLab forges for the adapter catalog.</summary>
internal static class GitLabForgeFactory
{
    /// <summary>Builds the forge <paramref name="config"/> describes.</summary>
    public static IForge Create(ForgeConfig config, AdapterContext context, GitLabForgeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        options ??= GitLabForgeOptions.Default;
        if (config.PollInterval is { } poll)
        {
            // The fleet file's forges[].pollInterval wins over the host's default.
            options = options with { PollInterval = poll };
        }

        var forge = new GitLabForge(config, context.CurrentFleet, options, context.Time, context.Logs.CreateLogger("Drover.Forges.GitLab"), context.Metrics);
        context.Metrics?.ObserveForgeRateLimit(config.Name, () => forge.Client.Budget.Remaining);
        return forge;
    }
}
