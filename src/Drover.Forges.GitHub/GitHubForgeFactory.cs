using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Forges.GitHub;

/// <summary>Makes the GitHub forge adapter from a forge's configuration; register it in an <see cref="AdapterCatalog"/>.</summary>
internal static class GitHubForgeFactory
{
    /// <summary>The adapter for <paramref name="config"/> with default options.</summary>
    /// <exception cref="InvalidOperationException">The forge is not a GitHub forge, its auth is incomplete, or its webhook secret cannot be resolved; the message says which.</exception>
    public static GitHubForge Create(ForgeConfig config, AdapterContext context) => Create(config, context, GitHubForgeOptions.Default);

    /// <summary>The adapter for <paramref name="config"/>.</summary>
    /// <exception cref="InvalidOperationException">The forge is not a GitHub forge, its auth is incomplete, or its webhook secret cannot be resolved; the message says which.</exception>
    public static GitHubForge Create(ForgeConfig config, AdapterContext context, GitHubForgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxJobLookupsPerPoll < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxJobLookupsPerPoll, "MaxJobLookupsPerPoll must be at least 1");
        }

        if (config.Kind != ForgeKind.GitHub)
        {
            throw new InvalidOperationException($"forge '{config.Name}' is a {config.Kind.ToString().ToLowerInvariant()} forge, not github");
        }

        if (config.PollInterval is { } poll)
        {
            // The fleet file's forges[].pollInterval wins over the host's default.
            options = options with { PollInterval = poll };
        }

        var forge = new GitHubForge(config, context.CurrentFleet, options, context.Time, context.Logs.CreateLogger("Drover.Forges.GitHub"), context.Metrics, context.Store);
        context.Metrics?.ObserveForgeRateLimit(config.Name, () => forge.RateLimitRemaining);
        foreach (var listener in forge.ScaleSetListeners)
        {
            context.Metrics?.ObserveScaleSet(config.Name, listener.ScaleSetName ?? listener.Pool, () => forge.ScaleSetReading(listener));
        }
        return forge;
    }
}
