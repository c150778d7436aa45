using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Providers.Process;

/// <summary>The <c>process</c> provider module: runners as child processes of this host.</summary>
public sealed class ProcessModule : IProviderModule
{
    private readonly Func<ProviderConfig, AdapterContext, IProvider> _create;

    /// <summary>The module; <paramref name="create"/> replaces how the provider is built (tests).</summary>
    public ProcessModule(Func<ProviderConfig, AdapterContext, IProvider>? create = null)
    {
        _create = create ?? ProcessProviderFactory.Create;
    }

    /// <inheritdoc/>
    public string Type => ProcessProviderFactory.Type;

    /// <summary>
    /// Binds <c>settings</c> typed: <c>command</c> a command line or a list of words, <c>args</c> a list of words,
    /// <c>env</c> a mapping of variable names to values, numbers and flags as YAML scalars. The flat string forms of
    /// <c>args</c> and <c>env</c> are still read for one release, each with a deprecation warning naming the new form.
    /// Every problem is reported where it is written.
    /// </summary>
    public object BindSettings(ConfigSection settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var fields = settings.Fields(ProcessProviderSettings.Keys);
        var problems = new List<ProviderSettingError>();
        void Problem(string key, string message) => problems.Add(new ProviderSettingError(key, message));
        var source = fields is null
            ? new ProcessSettingsSource()
            : new ProcessSettingsSource
            {
                Command = Words(fields, "command", Problem, deprecateString: false),
                Args = Words(fields, "args", Problem, deprecateString: true) ?? [],
                WorkRoot = fields.String("workRoot"),
                StateDir = fields.String("stateDir"),
                MaxConcurrent = Number(fields, "maxConcurrent", Problem),
                RegistrationEnv = fields.String("registrationEnv"),
                RegistrationFile = Flag(fields, "registrationFile", Problem),
                KeepLogs = Flag(fields, "keepLogs", Problem),
                Env = Environment(fields, Problem),
            };
        source = source with { Problems = problems };
        ProcessProviderSettings.Read(Type, source, out var found);
        foreach (var error in found)
        {
            if (fields is null)
            {
                settings.Error(error.Key, error.Message);
            }
            else
            {
                fields.Error(error.Key, error.Message);
            }
        }

        return source;
    }

    /// <summary>A whole number, written as a number or (as earlier releases documented) a quoted string.</summary>
    private static int? Number(ConfigFields fields, string key, Action<string, string> problem)
    {
        if (fields.Section(key).Scalar is not { } text)
        {
            return fields.Has(key) ? fields.Int(key) : null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problem(key, $"must be a whole number of at least 1, got '{text}'");
        return null;
    }

    /// <summary>true or false, written as a YAML boolean or (as earlier releases documented) a quoted string.</summary>
    private static bool Flag(ConfigFields fields, string key, Action<string, string> problem)
    {
        if (fields.Section(key).Scalar is not { } text)
        {
            return fields.Has(key) && (fields.Bool(key) ?? false);
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        problem(key, $"must be true or false, got '{text}'");
        return false;
    }

    /// <summary>A list of words taken as written, or a command line split into words; null when absent.</summary>
    private static IReadOnlyList<string>? Words(ConfigFields fields, string key, Action<string, string> problem, bool deprecateString)
    {
        var section = fields.Section(key);
        if (!section.Exists)
        {
            return null;
        }

        if (section.IsList)
        {
            return fields.StringList(key);
        }

        if (fields.String(key) is not { } line)
        {
            return null;
        }

        if (deprecateString)
        {
            fields.Warn(key, $"deprecated: write {key} as a list of words, e.g. {key}: [\"--once\", \"{{runnerDir}}\"] (a command line string is read for one more release)");
        }

        return ProcessProviderSettings.CommandLine(line, key, problem);
    }

    /// <summary><c>env</c> as a mapping of names to values, or (deprecated) as <c>NAME=value</c> entries in a string.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Environment(ConfigFields fields, Action<string, string> problem)
    {
        var section = fields.Section("env");
        if (!section.Exists)
        {
            return [];
        }

        if (section.Scalar is { } text)
        {
            fields.Warn("env", "deprecated: write env as a mapping of variable names to values, e.g. env: { RUNNER_WORK: \"{runnerDir}/_work\" } (NAME=value entries in a string are read for one more release)");
            return ProcessProviderSettings.EnvironmentLines(text, problem);
        }

        var entries = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in section.Entries())
        {
            if (value.Scalar is { } scalar)
            {
                entries.Add(new(name, scalar));
            }
            else
            {
                value.Error("expected a string value, as the process gets it");
            }
        }

        return entries;
    }

    /// <inheritdoc/>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings) => null;

    /// <inheritdoc/>
    public IProvider Create(ProviderConfig provider, AdapterContext context) => _create(provider, context);
}
