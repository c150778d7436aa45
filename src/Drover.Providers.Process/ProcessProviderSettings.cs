using System.Globalization;
using Drover.Core.Config;

namespace Drover.Providers.Process;

/// <summary>
/// The settings of a <c>process</c> provider, read from the typed settings its module bound
/// (<see cref="ProviderConfig.ModuleSettings"/>, a <see cref="ProcessSettingsSource"/>) or from the flat string map
/// (<see cref="ProviderConfig.Settings"/>), and checked. Every key is
/// documented in <c>docs/providers/process.md</c>.
/// </summary>
internal sealed record ProcessProviderSettings
{
    private static readonly string[] DefaultRegistrationEnvs = ["ACTIONS_RUNNER_INPUT_JITCONFIG", "CI_SERVER_TOKEN"];

    /// <summary>The settings keys this provider reads.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["command", "args", "workRoot", "stateDir", "maxConcurrent", "registrationEnv", "registrationFile", "env", "keepLogs"];

    /// <summary>Variables of Drover's own environment a runner process inherits; nothing else of it is passed on.</summary>
    public static IReadOnlyList<string> InheritedVariables { get; } = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TZ", "TMPDIR"];

    /// <summary>The default of <c>workRoot</c>: <c>.drover/runners/NAME</c> under the current directory.</summary>
    public static string DefaultWorkRoot(string providerName) => Path.GetFullPath(Path.Combine(".drover", "runners", providerName));

    /// <summary>
    /// The default of <c>stateDir</c>: <c>process/NAME</c> under Drover's data directory, or <c>.drover-state</c> inside
    /// the work root when there is no data directory (runner names never start with a dot, so it is no runner's).
    /// </summary>
    public static string DefaultStateDirectory(string providerName, string workRoot, string? dataDirectory) =>
        dataDirectory is null ? Path.Combine(workRoot, ".drover-state") : Path.GetFullPath(Path.Combine(dataDirectory, "process", providerName));

    /// <summary>The provider's name.</summary>
    public required string ProviderName { get; init; }

    /// <summary>The command words, placeholders unexpanded (<c>command</c> followed by <c>args</c>).</summary>
    public required IReadOnlyList<string> CommandWords { get; init; }

    /// <summary>Absolute directory under which each runner gets <c>{workRoot}/{runnerName}/</c>.</summary>
    public required string WorkRoot { get; init; }

    /// <summary>
    /// Absolute directory of the registry of runner processes (<see cref="RunnerRegistry"/>); null until the provider is
    /// built, which puts it under Drover's data directory (see <see cref="DefaultStateDirectory"/>).
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary>At most this many runner processes at once.</summary>
    public required int MaxConcurrent { get; init; }

    /// <summary>The variable that carries the credential; null to choose by the credential's kind.</summary>
    public string? RegistrationEnv { get; init; }

    /// <summary>Also write the credential to <c>{runnerDir}/.credential</c> (mode 0600), removed when the process ends.</summary>
    public bool RegistrationFile { get; init; }

    /// <summary>Extra non-secret variables, in order; values may use the placeholders.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>Keep each runner's work directory (and its <c>runner.log</c>) after the process ends.</summary>
    public bool KeepLogs { get; init; }

    /// <summary>The variable a credential of <paramref name="kind"/> goes in when <c>registrationEnv</c> is not set; null when none.</summary>
    public static string? DefaultRegistrationEnv(string kind) => kind switch
    {
        "jit-config" => "ACTIONS_RUNNER_INPUT_JITCONFIG",
        "runner-token" => "CI_SERVER_TOKEN",
        _ => null,
    };

    /// <summary>Reads and checks <paramref name="config"/>'s settings.</summary>
    /// <exception cref="ArgumentException">
    /// Some settings are wrong; the message names each as <c>providers[NAME].settings.KEY</c> and says what is wrong.
    /// </exception>
    public static ProcessProviderSettings Parse(ProviderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = Read(config.Name, Source(config), out var problems);
        if (problems.Count > 0 || settings is null)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => Describe(config.Name, p))), nameof(config));
        }

        return settings;
    }

    /// <summary>Every problem of <paramref name="config"/>'s settings, as <c>providers[NAME].settings.KEY: what is wrong</c>; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(ProviderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Read(config.Name, Source(config), out var problems);
        return [.. problems.Select(p => Describe(config.Name, p))];
    }

    /// <summary>
    /// Every problem of a <c>process</c> provider's settings map, by settings key, for a configuration validator that
    /// reports each at <c>providers[i].settings.KEY</c> with its line and column; empty when valid.
    /// </summary>
    public static IReadOnlyList<ProviderSettingError> Check(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Read("process", settings, out var problems);
        return problems;
    }

    private static string Describe(string provider, ProviderSettingError problem) => $"providers[{provider}].settings.{problem.Key}: {problem.Message}";

    private static ProcessProviderSettings? Read(string providerName, IReadOnlyDictionary<string, string> values, out List<ProviderSettingError> problems) =>
        Read(providerName, FromMap(values), out problems);

    /// <summary>The typed settings of <paramref name="config"/>: as its module bound them, else read from the flat map.</summary>
    private static ProcessSettingsSource Source(ProviderConfig config) => config.ModuleSettings as ProcessSettingsSource ?? FromMap(config.Settings);

    /// <summary>Checks typed settings (as the module binds them from the YAML) and builds the provider's settings; null when some are wrong.</summary>
    internal static ProcessProviderSettings? Read(string providerName, ProcessSettingsSource source, out List<ProviderSettingError> problems)
    {
        var found = new List<ProviderSettingError>(source.Problems);
        problems = found;
        void Report(string key, string message) => found.Add(new ProviderSettingError(key, message));

        var words = new List<string>();
        if (source.Command is not { Count: > 0 } command)
        {
            if (!source.Problems.Any(p => p.Key == "command"))
            {
                Report("command", "is required: the runner's command line, e.g. '{runnerDir}/run.sh' or \"/bin/sh -c './config.sh && ./run.sh'\"");
            }
        }
        else
        {
            words.AddRange(Checked(command, "command", source.RegistrationFile, Report));
        }

        words.AddRange(Checked(source.Args, "args", source.RegistrationFile, Report));

        string? workRoot = null;
        if (source.WorkRoot is { } root)
        {
            if (string.IsNullOrWhiteSpace(root))
            {
                Report("workRoot", "must be a directory path, not empty");
            }
            else if (root.Contains('{', StringComparison.Ordinal))
            {
                Report("workRoot", "takes no placeholders; each runner's directory is {workRoot}/{runnerName}");
            }
            else
            {
                workRoot = Path.GetFullPath(root);
                if (File.Exists(workRoot))
                {
                    Report("workRoot", $"'{workRoot}' is a file, not a directory");
                }
            }
        }

        string? stateDirectory = null;
        if (source.StateDir is { } state)
        {
            if (string.IsNullOrWhiteSpace(state))
            {
                Report("stateDir", "must be a directory path, not empty");
            }
            else if (state.Contains('{', StringComparison.Ordinal))
            {
                Report("stateDir", "takes no placeholders");
            }
            else
            {
                stateDirectory = Path.GetFullPath(state);
                if (File.Exists(stateDirectory))
                {
                    Report("stateDir", $"'{stateDirectory}' is a file, not a directory");
                }
            }
        }

        if (source.MaxConcurrent is < 1)
        {
            Report("maxConcurrent", $"must be a whole number of at least 1, got '{source.MaxConcurrent}'");
        }

        string? registrationEnv = null;
        if (source.RegistrationEnv is { } envName)
        {
            if (!IsVariableName(envName))
            {
                Report("registrationEnv", $"must be an environment variable name (letters, digits and '_', not starting with a digit), got '{envName}'");
            }
            else
            {
                registrationEnv = envName;
            }
        }

        var environment = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in source.Env)
        {
            if (!IsVariableName(name))
            {
                Report("env", $"'{name}' is not a valid variable name (letters, digits and '_', not starting with a digit)");
                continue;
            }

            if (name == (registrationEnv ?? string.Empty) || DefaultRegistrationEnvs.Contains(name))
            {
                Report("env", $"'{name}' carries the runner's credential and cannot be set here");
                continue;
            }

            if (environment.Any(e => e.Key == name))
            {
                Report("env", $"'{name}' is set twice");
                continue;
            }

            CheckPlaceholders(value, "env", source.RegistrationFile, Report);
            environment.Add(new(name, value));
        }

        if (found.Count > 0)
        {
            // In the order of the documented keys (unknown keys first), however they were found.
            problems = [.. found.OrderBy(p => Keys.ToList().IndexOf(p.Key))];
            return null;
        }

        return new ProcessProviderSettings
        {
            ProviderName = providerName,
            CommandWords = words,
            WorkRoot = workRoot ?? DefaultWorkRoot(providerName),
            StateDirectory = stateDirectory,
            MaxConcurrent = source.MaxConcurrent ?? System.Environment.ProcessorCount,
            RegistrationEnv = registrationEnv,
            RegistrationFile = source.RegistrationFile,
            Environment = environment,
            KeepLogs = source.KeepLogs,
        };
    }

    /// <summary>
    /// The flat string form (every value a string: <c>args</c> a command line, <c>env</c> <c>NAME=value</c> entries
    /// separated by <c>;</c>) as typed settings; what cannot be read is in <see cref="ProcessSettingsSource.Problems"/>.
    /// </summary>
    internal static ProcessSettingsSource FromMap(IReadOnlyDictionary<string, string> values)
    {
        var found = new List<ProviderSettingError>();
        void Report(string key, string message) => found.Add(new ProviderSettingError(key, message));

        foreach (var key in values.Keys.Where(k => !Keys.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
        {
            var hint = Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            var renamed = key is "credentialEnv" or "credentialFile" ? "registration" + key["credential".Length..] : null;
            var suggestion = hint ?? renamed;
            Report(key, $"unknown setting; known settings: {string.Join(", ", Keys)}" + (suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?"));
        }

        int? maxConcurrent = null;
        if (values.TryGetValue("maxConcurrent", out var max))
        {
            if (int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                maxConcurrent = parsed;
            }
            else
            {
                Report("maxConcurrent", $"must be a whole number of at least 1, got '{max}'");
            }
        }

        return new ProcessSettingsSource
        {
            Command = values.TryGetValue("command", out var command) && !string.IsNullOrWhiteSpace(command) ? CommandLine(command, "command", Report) : null,
            Args = values.TryGetValue("args", out var args) ? CommandLine(args, "args", Report) ?? [] : [],
            WorkRoot = values.GetValueOrDefault("workRoot"),
            StateDir = values.GetValueOrDefault("stateDir"),
            MaxConcurrent = maxConcurrent,
            RegistrationEnv = values.GetValueOrDefault("registrationEnv"),
            RegistrationFile = ReadBool(values, "registrationFile", Report),
            KeepLogs = ReadBool(values, "keepLogs", Report),
            Env = values.TryGetValue("env", out var env) ? EnvironmentLines(env, Report) : [],
            Problems = found,
        };
    }

    /// <summary>A command line split into words like a POSIX shell does; null (reported) when it cannot be.</summary>
    internal static IReadOnlyList<string>? CommandLine(string text, string key, Action<string, string> report)
    {
        var template = CommandTemplate.TryParse(text, out var problem);
        if (template is null)
        {
            report(key, problem!);
            return null;
        }

        return template.Words;
    }

    /// <summary><c>NAME=value</c> entries separated by <c>;</c> or new lines (the flat form of <c>env</c>).</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> EnvironmentLines(string text, Action<string, string> report)
    {
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var entry in text.Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? entry : entry[..equals];
            if (equals < 0 || !IsVariableName(name))
            {
                report("env", $"entries are NAME=value separated by ';' or new lines; '{(equals < 0 ? entry : name)}' is not NAME=value with a valid variable name");
                continue;
            }

            entries.Add(new(name, entry[(equals + 1)..]));
        }

        return entries;
    }

    private static IEnumerable<string> Checked(IReadOnlyList<string> words, string key, bool registrationFile, Action<string, string> report)
    {
        foreach (var word in words)
        {
            CheckPlaceholders(word, key, registrationFile, report);
        }

        return words;
    }

    private static void CheckPlaceholders(string text, string key, bool registrationFile, Action<string, string> report)
    {
        foreach (var name in CommandTemplate.PlaceholdersIn(text).Distinct(StringComparer.Ordinal))
        {
            if (!CommandTemplate.Placeholders.Contains(name, StringComparer.Ordinal))
            {
                var secret = name.Contains("credential", StringComparison.OrdinalIgnoreCase) || name.Contains("token", StringComparison.OrdinalIgnoreCase)
                    || name.Contains("jit", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase);
                var why = secret ? "; the credential is never put on a command line: the process gets it in the variable named by registrationEnv (or the file of registrationFile)" : string.Empty;
                report(key, $"unknown placeholder '{{{name}}}'; known placeholders: {string.Join(", ", CommandTemplate.Placeholders.Select(p => "{" + p + "}"))}{why}");
            }
            else if (name == "credentialFile" && !registrationFile)
            {
                report(key, "uses {credentialFile}, which needs registrationFile: true");
            }
        }
    }

    private static bool ReadBool(IReadOnlyDictionary<string, string> values, string key, Action<string, string> report)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return false;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        report(key, $"must be true or false, got '{text}'");
        return false;
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
