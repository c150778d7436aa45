using System.Globalization;
using Drover.Core.Config;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// The settings of a <c>kubernetes</c> provider (one cluster), read from <see cref="ProviderConfig.Settings"/> and
/// checked. Every key is documented in <c>docs/providers/kubernetes.md</c>.
/// </summary>
internal sealed record KubernetesProviderSettings
{
    /// <summary>The settings keys this provider reads.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["kubeconfig", "context", "namespace", "unschedulableTimeout", "imagePullGrace", "spotNodeLabel", "spotTaint", "spotFallbackAfter", "spotRetryAfter", "resyncInterval"];

    /// <summary>The provider's name.</summary>
    public required string ProviderName { get; init; }

    /// <summary>Path of a kubeconfig file; null: the in-cluster service account (or the default kubeconfig outside a cluster).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Context of the kubeconfig; null: its current context.</summary>
    public string? Context { get; init; }

    /// <summary>The namespace runner pods, their secrets and cache claims live in.</summary>
    public string Namespace { get; init; } = "drover-runners";

    /// <summary>A pod the scheduler cannot place for this long is reported failed with the scheduler's reason.</summary>
    public TimeSpan UnschedulableTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A pod whose image cannot be pulled is reported failed after this long (0: at the first pull error).</summary>
    public TimeSpan ImagePullGrace { get; init; } = TimeSpan.Zero;

    /// <summary>The node label that marks spot capacity, as <c>key=value</c>.</summary>
    public KeyValuePair<string, string> SpotNodeLabel { get; init; } = new("karpenter.sh/capacity-type", "spot");

    /// <summary>The taint spot nodes carry, as <c>key=value:Effect</c>; null when they carry none.</summary>
    public string? SpotTaint { get; init; }

    /// <summary>After this many pods of a pool preferring spot could not be scheduled in a row, its pods go to on-demand nodes.</summary>
    public int SpotFallbackAfter { get; init; } = 3;

    /// <summary>How long a pool stays on on-demand nodes after falling back before it tries spot again.</summary>
    public TimeSpan SpotRetryAfter { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The pod watch is replaced by a fresh list this often, even when nothing went wrong.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Reads and checks <paramref name="config"/>'s settings.</summary>
    /// <exception cref="ArgumentException">Some settings are wrong; the message names each as <c>providers[NAME].settings.KEY</c>.</exception>
    public static KubernetesProviderSettings Parse(ProviderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = Read(config.Name, config.Settings, out var problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"providers[{config.Name}].settings.{p.Key}: {p.Message}")), nameof(config));
        }

        return settings;
    }

    /// <summary>Every problem of a <c>kubernetes</c> provider's settings map, by key; empty when valid.</summary>
    public static IReadOnlyList<ProviderSettingError> Check(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Read("kubernetes", settings, out var problems);
        return problems;
    }

    private static KubernetesProviderSettings Read(string name, IReadOnlyDictionary<string, string> values, out List<ProviderSettingError> problems)
    {
        var found = new List<ProviderSettingError>();
        problems = found;
        void Report(string key, string message) => found.Add(new ProviderSettingError(key, message));

        foreach (var key in values.Keys.Where(k => !Keys.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
        {
            var hint = KeySuggester.Suggest(key, [.. Keys]);
            Report(key, $"unknown setting; known settings: {string.Join(", ", Keys)}" + (hint is null ? string.Empty : $"; did you mean '{hint}'?"));
        }

        var defaults = new KubernetesProviderSettings { ProviderName = name };
        var ns = values.GetValueOrDefault("namespace") ?? defaults.Namespace;
        if (!KubernetesNames.IsLabel(ns))
        {
            Report("namespace", $"'{ns}' is not a namespace name (lowercase letters, digits and '-', at most 63)");
        }

        var spotLabel = defaults.SpotNodeLabel;
        if (values.TryGetValue("spotNodeLabel", out var label))
        {
            var equals = label.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == label.Length - 1)
            {
                Report("spotNodeLabel", $"is written key=value, e.g. karpenter.sh/capacity-type=spot, got '{label}'");
            }
            else
            {
                spotLabel = new(label[..equals], label[(equals + 1)..]);
            }
        }

        string? spotTaint = null;
        if (values.TryGetValue("spotTaint", out var taint))
        {
            if (KubernetesTemplateSettings.ParseToleration(taint) is null)
            {
                Report("spotTaint", $"is written key=value:Effect (NoSchedule, PreferNoSchedule or NoExecute), got '{taint}'");
            }
            else
            {
                spotTaint = taint;
            }
        }

        var fallback = defaults.SpotFallbackAfter;
        if (values.TryGetValue("spotFallbackAfter", out var after) && (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out fallback) || fallback < 1))
        {
            Report("spotFallbackAfter", $"must be a whole number of at least 1, got '{after}'");
        }

        return new KubernetesProviderSettings
        {
            ProviderName = name,
            Kubeconfig = values.GetValueOrDefault("kubeconfig"),
            Context = values.GetValueOrDefault("context"),
            Namespace = ns,
            UnschedulableTimeout = Duration(values, "unschedulableTimeout", defaults.UnschedulableTimeout, Report),
            ImagePullGrace = Duration(values, "imagePullGrace", defaults.ImagePullGrace, Report),
            SpotNodeLabel = spotLabel,
            SpotTaint = spotTaint,
            SpotFallbackAfter = fallback,
            SpotRetryAfter = Duration(values, "spotRetryAfter", defaults.SpotRetryAfter, Report),
            ResyncInterval = Duration(values, "resyncInterval", defaults.ResyncInterval, Report),
        };
    }

    private static TimeSpan Duration(IReadOnlyDictionary<string, string> values, string key, TimeSpan fallback, Action<string, string> report)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (DurationParser.TryParse(text, out var value) && value >= TimeSpan.Zero)
        {
            return value;
        }

        report(key, $"invalid duration '{text}'; write a number and a unit, e.g. 30s, 5m, 1h30m");
        return fallback;
    }
}
