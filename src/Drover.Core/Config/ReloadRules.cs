using System.Text.Json;

namespace Drover.Core.Config;

/// <summary>
/// What a reload of a running server can apply. Pools, policies, schedules, budgets and placement take effect at the
/// next cycle; providers and forges are adapters built once at start-up (watch caches, API clients, credentials), and
/// so is what a pool's forge section binds at start-up (<see cref="IPoolSettingsCheck.StartBound"/>: a GitHub scale
/// set's listener), so a reload that adds, removes or changes one is refused with the place to look, and the running
/// configuration stays — rather than accepting settings that would not take effect.
/// </summary>
public static class ReloadRules
{
    /// <summary>Every provider or forge change of <paramref name="next"/> against <paramref name="running"/>, as errors at their place.</summary>
    /// <param name="running">The configuration the server runs.</param>
    /// <param name="next">The configuration the reload loaded (valid).</param>
    public static IReadOnlyList<ConfigError> AdapterChanges(FleetConfig running, ConfigLoadResult next)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(next);
        if (next.Config is not { } config)
        {
            return [];
        }

        var errors = new List<ConfigError>();
        void Add(string path, string message)
        {
            var at = next.SourceMap.Locate(path);
            errors.Add(new ConfigError(next.SourceMap.File, at.Line, at.Column, path,
                $"{message}; providers and forges are built when drover serve starts: restart it to apply this (the running configuration is kept)"));
        }

        for (var i = 0; i < config.Providers.Count; i++)
        {
            var provider = config.Providers[i];
            var before = running.FindProvider(provider.Name);
            if (before is null)
            {
                Add($"providers[{i}]", $"provider '{provider.Name}' is new");
            }
            else if (before.Type != provider.Type)
            {
                Add($"providers[{i}].type", $"provider '{provider.Name}' changed type from '{before.Type}' to '{provider.Type}'");
            }
            else if (!SameSettings(before.Settings, provider.Settings) || !SameModuleSettings(before.ModuleSettings, provider.ModuleSettings))
            {
                var keys = ChangedKeys(before.Settings, provider.Settings).ToList();
                Add($"providers[{i}].settings", $"provider '{provider.Name}' changed its settings{(keys.Count == 0 ? string.Empty : $" ({string.Join(", ", keys)})")}");
            }
        }

        foreach (var gone in running.Providers.Where(p => config.FindProvider(p.Name) is null))
        {
            Add("providers", $"provider '{gone.Name}' was removed");
        }

        for (var i = 0; i < config.Forges.Count; i++)
        {
            var forge = config.Forges[i];
            var before = running.FindForge(forge.Name);
            if (before is null)
            {
                Add($"forges[{i}]", $"forge '{forge.Name}' is new");
            }
            else if (before != forge)
            {
                Add($"forges[{i}]", $"forge '{forge.Name}' changed its {string.Join(", ", ChangedForgeFields(before, forge))}");
            }
        }

        foreach (var gone in running.Forges.Where(f => config.FindForge(f.Name) is null))
        {
            Add("forges", $"forge '{gone.Name}' was removed");
        }

        for (var i = 0; i < config.Pools.Count; i++)
        {
            var pool = config.Pools[i];
            var was = StartBound(running.Pools.FirstOrDefault(p => p.Name == pool.Name));
            var now = StartBound(pool);
            if (was != now)
            {
                Add($"pools[{i}]", $"pool '{pool.Name}' {(was is null ? $"now has {now}" : now is null ? $"no longer has {was}" : $"changed {was} to {now}")}");
            }
        }

        foreach (var gone in running.Pools.Where(p => StartBound(p) is not null && !config.Pools.Any(n => n.Name == p.Name)))
        {
            Add("pools", $"pool '{gone.Name}' with {StartBound(gone)} was removed");
        }

        return errors;
    }

    private static string? StartBound(PoolConfig? pool) => (pool?.ForgeSettings as IPoolSettingsCheck)?.StartBound;

    private static bool SameSettings(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var value) && value == kv.Value);

    /// <summary>
    /// Typed settings compared by content (a module's settings record may hold lists and maps, which records compare by
    /// reference): the same JSON means the same settings.
    /// </summary>
    private static bool SameModuleSettings(object? a, object? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.GetType() == b.GetType() && JsonSerializer.Serialize(a, a.GetType()) == JsonSerializer.Serialize(b, b.GetType());

    /// <summary>The keys added, removed or changed, in ordinal order; values are not named (they may be secret references).</summary>
    private static IEnumerable<string> ChangedKeys(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Keys.Union(b.Keys)
            .Where(k => !a.TryGetValue(k, out var x) || !b.TryGetValue(k, out var y) || x != y)
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> ChangedForgeFields(ForgeConfig a, ForgeConfig b)
    {
        if (a.Kind != b.Kind)
        {
            yield return "kind";
        }

        if (a.Url != b.Url)
        {
            yield return "url";
        }

        if (a.Auth != b.Auth)
        {
            yield return "auth";
        }

        if (a.WebhookSecret != b.WebhookSecret)
        {
            yield return "webhookSecret";
        }

        if (a.PollInterval != b.PollInterval)
        {
            yield return "pollInterval";
        }
    }
}
