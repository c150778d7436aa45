using System.Globalization;
using Drover.Core.Config;
using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// What a pool's <c>template.kubernetes</c> section says to the <c>kubernetes</c> provider (docs/providers/kubernetes.md):
/// typed values — a map for the node selector, a list of maps for tolerations, a list for the command. Bound by
/// <see cref="KubernetesModule"/> when the fleet is loaded, so every problem is reported at file:line:col. The flat
/// strings of <c>template.settings</c> (<c>tolerations: "k=v:Effect"</c>) are still read for one release, with a
/// deprecation warning naming the new place.
/// </summary>
internal sealed record KubernetesTemplateSettings
{
    /// <summary>The keys this provider reads from a pool's template settings.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "containerMode", "nodeSelector", "tolerations", "priorityClassName", "serviceAccountName", "runAsUser", "hardening",
        "readOnlyRootFilesystem", "cachePath", "cacheSize", "cacheStorageClass", "cacheAccessMode", "workVolumeSize",
        "workStorageClass", "dindImage", "command", "githubRunnerGroupId", "gitlabAccessLevel",
    ];

    /// <summary>Keys of the flat <c>template.settings</c> that belong to a forge, with the place they are written now.</summary>
    internal static IReadOnlyDictionary<string, string> ForgeKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["githubRunnerGroupId"] = "github.runnerGroupId",
        ["gitlabAccessLevel"] = "gitlab.accessLevel",
    };

    /// <summary>The keys of a pool's typed <c>template.kubernetes</c> section.</summary>
    public static IReadOnlyList<string> TypedKeys { get; } = [.. Keys.Where(k => !ForgeKeys.ContainsKey(k))];

    private static readonly string[] _tolerationKeys = ["key", "operator", "value", "effect"];
    private static readonly string[] _scalarKeys =
    [
        "containerMode", "priorityClassName", "serviceAccountName", "cachePath", "cacheSize", "cacheStorageClass",
        "cacheAccessMode", "workVolumeSize", "workStorageClass", "dindImage",
    ];

    /// <summary>How job containers run.</summary>
    public ContainerMode ContainerMode { get; init; } = ContainerMode.Plain;

    /// <summary>Node labels the pod must land on.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> NodeSelector { get; init; } = [];

    /// <summary>Tolerations, each <c>key=value:Effect</c> or <c>key:Effect</c> (exists).</summary>
    public IReadOnlyList<V1Toleration> Tolerations { get; init; } = [];

    /// <summary>The pod's priority class.</summary>
    public string? PriorityClassName { get; init; }

    /// <summary>The pod's service account (required in <see cref="ContainerMode.Kubernetes"/>).</summary>
    public string? ServiceAccountName { get; init; }

    /// <summary>The user the runner runs as.</summary>
    public long RunAsUser { get; init; } = 1001;

    /// <summary>The hardened security context (off only when the pool opts out with <c>hardening: "false"</c>).</summary>
    public bool Hardening { get; init; } = true;

    /// <summary>A read-only root file system for the runner container (its work directory is a volume).</summary>
    public bool ReadOnlyRootFilesystem { get; init; }

    /// <summary>Where the pool's shared cache volume is mounted; null: no cache volume.</summary>
    public string? CachePath { get; init; }

    /// <summary>Size of the cache claim when Drover creates it.</summary>
    public string CacheSize { get; init; } = "20Gi";

    /// <summary>Storage class of the cache claim; null: the cluster's default.</summary>
    public string? CacheStorageClass { get; init; }

    /// <summary>Access mode of the cache claim (pods of a pool may share it across nodes).</summary>
    public string CacheAccessMode { get; init; } = "ReadWriteMany";

    /// <summary>Size of the work volume claim in <see cref="ContainerMode.Kubernetes"/>.</summary>
    public string WorkVolumeSize { get; init; } = "10Gi";

    /// <summary>Storage class of the work volume claim; null: the cluster's default.</summary>
    public string? WorkStorageClass { get; init; }

    /// <summary>The Docker daemon image in <see cref="ContainerMode.Dind"/>.</summary>
    public string DindImage { get; init; } = "docker:dind";

    /// <summary>The runner container's command, words separated by spaces; null: the forge's default.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>
    /// The settings of <paramref name="template"/>: what the module bound from <c>template.kubernetes</c>, or else the flat
    /// <c>template.settings</c>; every problem as <c>KEY: message</c>.
    /// </summary>
    public static KubernetesTemplateSettings Read(InstanceTemplate template, out IReadOnlyList<ProviderSettingError> problems)
    {
        ArgumentNullException.ThrowIfNull(template);
        var found = new List<ProviderSettingError>();
        problems = found;
        void Report(string key, string message) => found.Add(new ProviderSettingError(key, message));
        if (template.For<KubernetesTemplateSettings>(KubernetesProviderFactory.Type) is { } bound)
        {
            CheckResources(template, Report);
            return bound;
        }

        var values = template.Settings;
        foreach (var key in values.Keys.Where(k => !Keys.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
        {
            Report(key, $"unknown setting for a kubernetes pool; known settings: {string.Join(", ", Keys)}");
        }

        var defaults = new KubernetesTemplateSettings();
        var mode = defaults.ContainerMode;
        if (values.TryGetValue("containerMode", out var modeText))
        {
            switch (modeText)
            {
                case "plain": mode = ContainerMode.Plain; break;
                case "dind": mode = ContainerMode.Dind; break;
                case "kubernetes": mode = ContainerMode.Kubernetes; break;
                default: Report("containerMode", $"unknown value '{modeText}'; expected one of: plain, dind, kubernetes"); break;
            }
        }

        var selector = new List<KeyValuePair<string, string>>();
        foreach (var pair in List(values, "nodeSelector"))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                Report("nodeSelector", $"entries are key=value separated by ','; got '{pair}'");
                continue;
            }

            selector.Add(new(pair[..equals], pair[(equals + 1)..]));
        }

        var tolerations = new List<V1Toleration>();
        foreach (var text in List(values, "tolerations"))
        {
            if (ParseToleration(text) is { } toleration)
            {
                tolerations.Add(toleration);
            }
            else
            {
                Report("tolerations", $"entries are key=value:Effect or key:Effect (NoSchedule, PreferNoSchedule, NoExecute) separated by ','; got '{text}'");
            }
        }

        var runAsUser = defaults.RunAsUser;
        if (values.TryGetValue("runAsUser", out var user) && (!long.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out runAsUser) || runAsUser < 1))
        {
            Report("runAsUser", $"must be a non-root user id (a whole number of at least 1), got '{user}'");
        }

        var hardening = Bool(values, "hardening", defaults.Hardening, Report);
        var settings = new KubernetesTemplateSettings
        {
            ContainerMode = mode,
            NodeSelector = selector,
            Tolerations = tolerations,
            PriorityClassName = values.GetValueOrDefault("priorityClassName"),
            ServiceAccountName = values.GetValueOrDefault("serviceAccountName"),
            RunAsUser = runAsUser,
            Hardening = hardening,
            ReadOnlyRootFilesystem = Bool(values, "readOnlyRootFilesystem", defaults.ReadOnlyRootFilesystem, Report),
            CachePath = values.GetValueOrDefault("cachePath"),
            CacheSize = Quantity(values, "cacheSize", defaults.CacheSize, Report),
            CacheStorageClass = values.GetValueOrDefault("cacheStorageClass"),
            CacheAccessMode = values.GetValueOrDefault("cacheAccessMode") ?? defaults.CacheAccessMode,
            WorkVolumeSize = Quantity(values, "workVolumeSize", defaults.WorkVolumeSize, Report),
            WorkStorageClass = values.GetValueOrDefault("workStorageClass"),
            DindImage = values.GetValueOrDefault("dindImage") ?? defaults.DindImage,
            Command = values.TryGetValue("command", out var command) ? command.Split(' ', StringSplitOptions.RemoveEmptyEntries) : null,
        };

        if (settings.CachePath is { } path && !path.StartsWith('/'))
        {
            Report("cachePath", $"must be an absolute path in the container, got '{path}'");
        }

        if (settings.CacheAccessMode is not ("ReadWriteMany" or "ReadWriteOnce" or "ReadWriteOncePod"))
        {
            Report("cacheAccessMode", $"unknown value '{settings.CacheAccessMode}'; expected one of: ReadWriteMany, ReadWriteOnce, ReadWriteOncePod");
        }

        if (mode == ContainerMode.Kubernetes && settings.ServiceAccountName is null)
        {
            Report("serviceAccountName", "containerMode 'kubernetes' needs a service account allowed to create the job pods (pods, pods/exec, pods/log, secrets)");
        }

        if (mode == ContainerMode.Dind && settings.ReadOnlyRootFilesystem)
        {
            Report("readOnlyRootFilesystem", "containerMode 'dind' runs a privileged Docker daemon that writes to its root file system");
        }

        CheckResources(template, Report);
        return settings;
    }

    /// <summary>
    /// Binds a pool's typed <c>template.kubernetes</c> section, reporting every problem at its position; the same checks
    /// as the flat settings, on typed values.
    /// </summary>
    internal static KubernetesTemplateSettings Bind(ConfigSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section.Fields(TypedKeys) is not { } fields)
        {
            return new KubernetesTemplateSettings();
        }

        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in _scalarKeys)
        {
            if (fields.String(key) is { } text)
            {
                flat[key] = text;
            }
        }

        if (fields.Long("runAsUser") is { } user)
        {
            flat["runAsUser"] = user.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var key in (string[])["hardening", "readOnlyRootFilesystem"])
        {
            if (fields.Bool(key) is { } value)
            {
                flat[key] = value ? "true" : "false";
            }
        }

        var settings = Read(new InstanceTemplate { Settings = flat }, out var problems);
        foreach (var problem in problems)
        {
            fields.Error(problem.Key, problem.Message);
        }

        var tolerations = new List<V1Toleration>();
        foreach (var item in fields.Section("tolerations").Items())
        {
            if (BindToleration(item) is { } toleration)
            {
                tolerations.Add(toleration);
            }
        }

        return settings with
        {
            NodeSelector = [.. fields.StringMap("nodeSelector") ?? new Dictionary<string, string>()],
            Tolerations = tolerations,
            Command = fields.StringList("command"),
        };
    }

    private static V1Toleration? BindToleration(ConfigSection item)
    {
        if (item.Fields(_tolerationKeys) is not { } fields)
        {
            return null;
        }

        var key = fields.String("key", required: true);
        var value = fields.String("value");
        var op = fields.String("operator") ?? (value is null ? "Exists" : "Equal");
        var effect = fields.String("effect");
        var ok = key is not null;
        if (op is not ("Equal" or "Exists"))
        {
            fields.Error("operator", $"unknown value '{op}'; expected one of: Equal, Exists");
            ok = false;
        }
        else if (op == "Exists" && value is not null)
        {
            fields.Error("value", "a toleration with operator Exists has no value");
            ok = false;
        }

        if (effect is not (null or "NoSchedule" or "PreferNoSchedule" or "NoExecute"))
        {
            fields.Error("effect", $"unknown value '{effect}'; expected one of: NoSchedule, PreferNoSchedule, NoExecute (or none for every effect)");
            ok = false;
        }

        return ok ? new V1Toleration { Key = key, OperatorProperty = op, Value = value, Effect = effect } : null;
    }

    private static void CheckResources(InstanceTemplate template, Action<string, string> report)
    {
        if (template.Cpu is { } cpu && !IsQuantity(cpu))
        {
            report("cpu", $"'{cpu}' is not a Kubernetes quantity (e.g. 2, 500m)");
        }

        if (template.Memory is { } memory && !IsQuantity(memory))
        {
            report("memory", $"'{memory}' is not a Kubernetes quantity (e.g. 4Gi, 512Mi)");
        }
    }

    /// <summary>A toleration from <c>key=value:Effect</c> (equal) or <c>key:Effect</c> (exists); null when malformed.</summary>
    public static V1Toleration? ParseToleration(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            return null;
        }

        var effect = text[(colon + 1)..];
        if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
        {
            return null;
        }

        var head = text[..colon];
        var equals = head.IndexOf('=', StringComparison.Ordinal);
        return equals < 0
            ? new V1Toleration { Key = head, OperatorProperty = "Exists", Effect = effect }
            : equals == 0 ? null : new V1Toleration { Key = head[..equals], OperatorProperty = "Equal", Value = head[(equals + 1)..], Effect = effect };
    }

    private static IEnumerable<string> List(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    private static bool Bool(IReadOnlyDictionary<string, string> values, string key, bool fallback, Action<string, string> report)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        report(key, $"must be \"true\" or \"false\", got '{text}'");
        return fallback;
    }

    private static string Quantity(IReadOnlyDictionary<string, string> values, string key, string fallback, Action<string, string> report)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (IsQuantity(text))
        {
            return text;
        }

        report(key, $"'{text}' is not a Kubernetes quantity (e.g. 20Gi)");
        return fallback;
    }

    private static bool IsQuantity(string text)
    {
        try
        {
            _ = new ResourceQuantity(text).ToDecimal();
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }
}
