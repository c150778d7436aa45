using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Leadership;
using Drover.Engine.Loop;
using Drover.Server.Auth;
using Drover.Storage;

namespace Drover.Server.Hosting;

/// <summary>Everything <c>drover serve</c> starts with.</summary>
public sealed record ServerOptions
{
    /// <summary>Loads (and on reload, re-loads) the fleet configuration; returns the config or every error.</summary>
    public required Func<ConfigLoadResult> LoadConfig { get; init; }

    /// <summary>
    /// The configuration file <see cref="LoadConfig"/> reads, if any: it is watched, and a change reloads it the same
    /// way as <c>POST /api/v1/reload</c>. Null (the demo, or a configuration not from a file): nothing is watched.
    /// </summary>
    public string? ConfigFile { get; init; }

    /// <summary>Where the state lives: <c>sqlite:PATH</c> or <c>postgres:CONNSTR</c>. Never logged.</summary>
    public required string StoreLocation { get; init; }

    /// <summary>Opens the store named by <see cref="StoreLocation"/>; replaceable for embedding (e.g. a store decorator).</summary>
    public Func<string, CancellationToken, Task<IStateStore>> OpenStore { get; init; } = StateStoreFactory.OpenAsync;

    /// <summary>Listen addresses, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>
    /// The certificate served on every <c>https://</c> address of <see cref="Urls"/> (<c>serve --tls-cert/--tls-key</c>);
    /// null: no TLS, and an <c>https://</c> address is refused at start-up.
    /// </summary>
    public TlsCertificate? Tls { get; init; }

    /// <summary>The API tokens.</summary>
    public IReadOnlyList<ApiToken> Tokens { get; init; } = [];

    /// <summary>
    /// Single sign-on through an OpenID Connect issuer: JWT bearer tokens for the API and the dashboard's sign-in; null
    /// (the default): static tokens only. Its client secret is read at start-up through <see cref="Environment"/>.
    /// </summary>
    public OidcOptions? Oidc { get; init; }

    /// <summary>True for the no-accounts demo: the dashboard shows a DEMO banner.</summary>
    public bool Demo { get; init; }

    /// <summary>
    /// The provider types and forge kinds this build can run (the composition root's modules); the fleet's adapters are
    /// built from it.
    /// </summary>
    public AdapterCatalog Catalog { get; init; } = new();

    /// <summary>Periodic resync of the control loop.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the leader writes the live cost ledger (see <c>ControlLoopOptions.CostInterval</c>). Default 1 minute.</summary>
    public TimeSpan CostInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// This replica's name in the leader lease; unique among replicas sharing a store. Null (the default): the pod name
    /// (<c>POD_NAME</c>), else an id kept in the data directory, stable across restarts (see <see cref="ReplicaIdentity"/>).
    /// </summary>
    public string? ReplicaId { get; init; }

    /// <summary>
    /// Drover's data directory (the replica id and its lock, the process provider's registry); null: the folder of a
    /// SQLite store, <c>.drover</c> under the working directory for PostgreSQL.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// How long a graceful shutdown (SIGTERM) may take in all: the leader's drain, releasing the lease, stopping the
    /// API. Default 30 s.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads environment variables (<c>POD_NAME</c>); the process environment by default, replaceable in tests.
    /// </summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Log format, level and extra providers.</summary>
    public LoggingOptions Logging { get; init; } = new();

    /// <summary>The leader lease's timing.</summary>
    public LeaderElectionOptions Leadership { get; init; } = LeaderElectionOptions.Default;

    /// <summary>How often the leader looks for webhook deliveries stored by other replicas. Default 1 s.</summary>
    public TimeSpan DeliveryPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Failed attempts at interpreting a webhook delivery before it is quarantined (see
    /// <see cref="ControlLoopOptions.DeliveryAttempts"/>). Default 5.
    /// </summary>
    public int DeliveryAttempts { get; init; } = ControlLoopOptions.Default.DeliveryAttempts;

    /// <summary>
    /// The wait after a delivery's first failed attempt, doubling after each further one up to 5 minutes (see
    /// <see cref="ControlLoopOptions.DeliveryRetryDelay"/>). Default 5 s.
    /// </summary>
    public TimeSpan DeliveryRetryDelay { get; init; } = ControlLoopOptions.Default.DeliveryRetryDelay;

    /// <summary>
    /// How often the fleet is sampled for the dashboard's charts (<c>GET /api/v1/history</c>). Default 30 s; the demo
    /// samples every 5 s.
    /// </summary>
    public TimeSpan HistoryInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How far back the chart samples reach, in memory on each replica (lost on restart). Default 24 h (2,880 samples at
    /// the default interval); at most 100,000 samples.
    /// </summary>
    public TimeSpan HistoryRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Scheduled backups; off unless a directory is set.</summary>
    public BackupOptions Backups { get; init; } = BackupOptions.Off;
}
