using Drover.Core.Config;

namespace Drover.Providers.Process;

/// <summary>
/// A <c>process</c> provider's settings as written, typed (the command and its arguments as word lists, the
/// environment as name/value pairs), before they are checked; what the module binds from the YAML and keeps on
/// <see cref="ProviderConfig.ModuleSettings"/>, so the provider is built from exactly what validated.
/// </summary>
internal sealed record ProcessSettingsSource
{
    /// <summary>The command's words; null when not written (or unreadable, see <see cref="Problems"/>).</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>More words after the command.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>The directory under which each runner gets its own; null for the default.</summary>
    public string? WorkRoot { get; init; }

    /// <summary>The directory of the registry of runner processes; null for the default under the data directory.</summary>
    public string? StateDir { get; init; }

    /// <summary>At most this many processes at once; null for the number of processors.</summary>
    public int? MaxConcurrent { get; init; }

    /// <summary>The variable that carries the credential; null to choose by the credential's kind.</summary>
    public string? RegistrationEnv { get; init; }

    /// <summary>Also write the credential to a file.</summary>
    public bool RegistrationFile { get; init; }

    /// <summary>Keep each runner's work directory after it ends.</summary>
    public bool KeepLogs { get; init; }

    /// <summary>Extra variables, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    /// <summary>What could not be read at all (a command line that does not split, a value of the wrong type).</summary>
    public IReadOnlyList<ProviderSettingError> Problems { get; init; } = [];
}
