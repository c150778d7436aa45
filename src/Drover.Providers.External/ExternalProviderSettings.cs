namespace Drover.Providers.External;

/// <summary>
/// The settings of an <c>external</c> provider, typed and checked, as its module binds them from
/// <c>providers[i].settings</c> (kept on <see cref="Core.Config.ProviderConfig.ModuleSettings"/>, so the provider is
/// built from exactly what validated). Every key is documented in <c>docs/providers/external.md</c>.
/// </summary>
internal sealed record ExternalProviderSettings
{
    /// <summary>The settings keys this provider reads.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["executable", "configFile", "interfaceVersion", "environmentVariables", "callbackUrl", "metadataUrl", "execTimeout", "createTimeout", "bootstrapTimeout", "runnerTools"];

    /// <summary>The keys of one <c>runnerTools</c> entry.</summary>
    public static IReadOnlyList<string> ToolKeys { get; } = ["os", "architecture", "downloadUrl", "filename", "sha256"];

    /// <summary>The default of <c>execTimeout</c>: 2 minutes for every command but <c>CreateInstance</c>.</summary>
    public static readonly TimeSpan DefaultExecTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The default of <c>createTimeout</c>: 10 minutes.</summary>
    public static readonly TimeSpan DefaultCreateTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The default of <c>bootstrapTimeout</c>: 20 minutes, GARM's default <c>runner_bootstrap_timeout</c>.</summary>
    public static readonly TimeSpan DefaultBootstrapTimeout = TimeSpan.FromMinutes(20);

    /// <summary>The absolute path of the provider executable.</summary>
    public required string Executable { get; init; }

    /// <summary>The provider's own configuration file, passed verbatim as <c>GARM_PROVIDER_CONFIG_FILE</c> (empty when not set).</summary>
    public string ConfigFile { get; init; } = string.Empty;

    /// <summary><c>v0.1.0</c> (the default, as in GARM) or <c>v0.1.1</c>.</summary>
    public string InterfaceVersion { get; init; } = GarmCommand.V010;

    /// <summary>Prefixes of Drover's own environment variables the executable gets (e.g. <c>AWS_</c>, <c>OS_</c>).</summary>
    public IReadOnlyList<string> EnvironmentVariables { get; init; } = [];

    /// <summary>GARM's <c>callback-url</c>: Drover's <c>/api/v1/callbacks</c> as the instances reach it.</summary>
    public required Uri CallbackUrl { get; init; }

    /// <summary>GARM's <c>metadata-url</c>: Drover's <c>/api/v1/metadata</c> as the instances reach it.</summary>
    public required Uri MetadataUrl { get; init; }

    /// <summary>The deadline of every command but <c>CreateInstance</c>.</summary>
    public TimeSpan ExecTimeout { get; init; } = DefaultExecTimeout;

    /// <summary>The deadline of <c>CreateInstance</c>.</summary>
    public TimeSpan CreateTimeout { get; init; } = DefaultCreateTimeout;

    /// <summary>
    /// The runner downloads sent as GARM's <c>tools</c> (what GitHub's runner downloads API lists), from which a
    /// provider's built-in install template picks the one for its OS and architecture; empty when not written.
    /// </summary>
    public IReadOnlyList<GarmRunnerTool> RunnerTools { get; init; } = [];

    /// <summary>How long an instance's token is valid: it must have reported <c>idle</c> by then.</summary>
    public TimeSpan BootstrapTimeout { get; init; } = DefaultBootstrapTimeout;
}
