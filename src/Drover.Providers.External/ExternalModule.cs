using System.Globalization;
using System.Text.Json.Nodes;
using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Providers.External;

/// <summary>
/// The <c>external</c> provider module: instances made by an executable that speaks GARM's external provider
/// interface, so GARM's published providers (Azure, GCP, OCI, OpenStack, LXD / Incus, Kubernetes, AWS) run unchanged.
/// </summary>
public sealed class ExternalModule : IProviderModule
{
    private readonly Func<ProviderConfig, AdapterContext, IProvider> _create;

    /// <summary>The module; <paramref name="create"/> replaces how the provider is built (tests).</summary>
    public ExternalModule(Func<ProviderConfig, AdapterContext, IProvider>? create = null)
    {
        _create = create ?? ExternalProviderFactory.Create;
    }

    /// <inheritdoc/>
    public string Type => ExternalProviderFactory.Type;

    /// <summary>
    /// Binds <c>settings</c>: <c>executable</c>, <c>callbackUrl</c> and <c>metadataUrl</c> required; the rest optional.
    /// Every problem is reported where it is written.
    /// </summary>
    public object BindSettings(ConfigSection settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var fields = settings.Fields(ExternalProviderSettings.Keys);
        if (fields is null)
        {
            settings.Error("is required for an external provider: at least executable, callbackUrl and metadataUrl");
            return new object();
        }

        var executable = AbsolutePath(fields, "executable", required: true);
        var configFile = AbsolutePath(fields, "configFile", required: false);
        var version = fields.String("interfaceVersion") ?? GarmCommand.V010;
        if (version is not (GarmCommand.V010 or GarmCommand.V011))
        {
            fields.Error("interfaceVersion", $"must be {GarmCommand.V010} or {GarmCommand.V011} (GARM's interface versions), got '{version}'");
        }

        var prefixes = fields.StringList("environmentVariables") ?? [];
        foreach (var prefix in prefixes.Where(p => p.StartsWith("GARM", StringComparison.Ordinal)))
        {
            fields.Error("environmentVariables", $"'{prefix}': GARM_* variables are set by Drover for each call and cannot be passed through");
        }

        var callback = fields.Url("callbackUrl", required: true);
        var metadata = fields.Url("metadataUrl", required: true);
        return new ExternalProviderSettings
        {
            Executable = executable ?? string.Empty,
            ConfigFile = configFile ?? string.Empty,
            InterfaceVersion = version,
            EnvironmentVariables = prefixes,
            CallbackUrl = callback ?? new Uri("http://127.0.0.1/"),
            MetadataUrl = metadata ?? new Uri("http://127.0.0.1/"),
            ExecTimeout = Positive(fields, "execTimeout") ?? ExternalProviderSettings.DefaultExecTimeout,
            CreateTimeout = Positive(fields, "createTimeout") ?? ExternalProviderSettings.DefaultCreateTimeout,
            BootstrapTimeout = Positive(fields, "bootstrapTimeout") ?? ExternalProviderSettings.DefaultBootstrapTimeout,
            RunnerTools = Tools(fields.Section("runnerTools")),
        };
    }

    /// <summary>
    /// <c>runnerTools</c>: a list of <c>{ os, architecture, downloadUrl, filename, sha256 }</c>, in GitHub's names
    /// (<c>linux</c>/<c>win</c>/<c>osx</c>, <c>x64</c>/<c>arm64</c>/<c>arm</c>).
    /// </summary>
    private static IReadOnlyList<GarmRunnerTool> Tools(ConfigSection section)
    {
        if (!section.Exists)
        {
            return [];
        }

        if (!section.IsList)
        {
            section.Error("must be a list of { os, architecture, downloadUrl, filename, sha256 } entries");
            return [];
        }

        var tools = new List<GarmRunnerTool>();
        foreach (var item in section.Items())
        {
            var entry = item.Fields(ExternalProviderSettings.ToolKeys);
            if (entry is null)
            {
                item.Error("must be a mapping { os, architecture, downloadUrl, filename, sha256 }");
                continue;
            }

            var os = entry.String("os", required: true);
            var architecture = entry.String("architecture", required: true);
            var url = entry.Url("downloadUrl", required: true);
            var filename = entry.String("filename", required: true);
            if (os is not null and not ("linux" or "win" or "osx"))
            {
                entry.Error("os", $"must be linux, win or osx (GitHub's names), got '{os}'");
            }

            if (architecture is not null and not ("x64" or "arm64" or "arm"))
            {
                entry.Error("architecture", $"must be x64, arm64 or arm (GitHub's names), got '{architecture}'");
            }

            if (os is not null && architecture is not null && url is not null && filename is not null)
            {
                tools.Add(new GarmRunnerTool { Os = os, Architecture = architecture, DownloadUrl = url.AbsoluteUri, FileName = filename, Sha256Checksum = entry.String("sha256") });
            }
        }

        return tools;
    }

    /// <summary>Binds a pool's <c>template.external</c>; null when the pool writes none (the defaults apply).</summary>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings)
    {
        ArgumentNullException.ThrowIfNull(template);
        var fields = template.Fields(ExternalTemplateSettings.Keys);
        if (fields is null)
        {
            return null;
        }

        var osType = fields.String("osType") ?? "linux";
        if (!ExternalTemplateSettings.OsTypes.Contains(osType, StringComparer.Ordinal))
        {
            fields.Error("osType", $"must be one of {string.Join(", ", ExternalTemplateSettings.OsTypes)}, got '{osType}'");
        }

        var arch = fields.String("arch") ?? "amd64";
        if (!ExternalTemplateSettings.Architectures.Contains(arch, StringComparer.Ordinal))
        {
            fields.Error("arch", $"must be one of {string.Join(", ", ExternalTemplateSettings.Architectures)} (GARM's names), got '{arch}'");
        }

        JsonObject? extraSpecs = null;
        var specs = fields.Section("extraSpecs");
        if (specs.Exists)
        {
            if (specs.IsMapping)
            {
                extraSpecs = (JsonObject)Json(specs)!;
            }
            else
            {
                specs.Error("must be a mapping (the pool's extra specs, passed to the provider as a JSON object)");
            }
        }

        return new ExternalTemplateSettings
        {
            Flavor = fields.String("flavor") ?? string.Empty,
            Image = fields.String("image"),
            OsType = osType,
            Arch = arch,
            ExtraSpecs = extraSpecs,
            SshKeys = fields.StringList("sshKeys") ?? [],
            RunnerGroup = fields.String("runnerGroup") ?? string.Empty,
        };
    }

    /// <inheritdoc/>
    public IProvider Create(ProviderConfig provider, AdapterContext context) => _create(provider, context);

    /// <summary>
    /// A YAML node as JSON: mappings as objects, lists as arrays, <c>true</c>/<c>false</c> and numbers as JSON booleans
    /// and numbers, every other scalar a string.
    /// </summary>
    internal static JsonNode? Json(ConfigSection section)
    {
        if (section.IsMapping)
        {
            var obj = new JsonObject();
            foreach (var (key, value) in section.Entries())
            {
                obj[key] = Json(value);
            }

            return obj;
        }

        if (section.IsList)
        {
            return new JsonArray([.. section.Items().Select(Json)]);
        }

        return section.Scalar switch
        {
            null => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            { } text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
            { } text when decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            { } text => JsonValue.Create(text),
        };
    }

    private static string? AbsolutePath(ConfigFields fields, string key, bool required)
    {
        var path = fields.String(key, required);
        if (path is null)
        {
            return null;
        }

        if (!Path.IsPathFullyQualified(path))
        {
            fields.Error(key, $"must be an absolute path (GARM's rule too), got '{path}'");
            return null;
        }

        return path;
    }

    private static TimeSpan? Positive(ConfigFields fields, string key)
    {
        var value = fields.Duration(key);
        if (value is { } span && span <= TimeSpan.Zero)
        {
            fields.Error(key, "must be longer than 0s");
            return null;
        }

        return value;
    }
}
