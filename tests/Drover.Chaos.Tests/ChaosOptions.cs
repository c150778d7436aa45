namespace Drover.Chaos.Tests;

/// <summary>What one chaos run injects. Every choice (job times and lengths, kill points, signals, faults, webhook fates) follows from <see cref="Seed"/>.</summary>
internal sealed record ChaosOptions
{
    /// <summary>Seeds every random choice of the run.</summary>
    public required int Seed { get; init; }

    /// <summary>The provider the fleet's runners run on.</summary>
    public ChaosProviderKind Provider { get; init; } = ChaosProviderKind.Process;

    /// <summary>
    /// Share (0–1) of the provider's API calls that fail (<see cref="ChaosProviderKind.Kubernetes"/>: 5xx, 429 with
    /// Retry-After, hang, answer lost after the create or delete, watch cut); the process provider has no API.
    /// </summary>
    public double ProviderFaultRate { get; init; } = 0.3;

    /// <summary>The kinds of provider API fault drawn.</summary>
    public Drover.Testing.GitHub.RandomFault ProviderFaults { get; init; } = Drover.Testing.GitHub.RandomFault.ServerError | Drover.Testing.GitHub.RandomFault.RateLimited | Drover.Testing.GitHub.RandomFault.Hang | Drover.Testing.GitHub.RandomFault.LostAnswer | Drover.Testing.GitHub.RandomFault.Cut;

    /// <summary>Matchable jobs queued during the burst (one more job no pool takes is queued too).</summary>
    public int Jobs { get; init; } = 20;

    /// <summary>Points of the burst at which the server is killed (SIGKILL) or stopped (SIGTERM) and started again.</summary>
    public int KillPoints { get; init; } = 3;

    /// <summary>
    /// Spot interruptions: a runner process SIGKILLed under its job (its instance lost), at seeded moments while a job
    /// runs. Drover is to ask the forge to re-run that job, once.
    /// </summary>
    public int SpotInterruptions { get; init; }

    /// <summary>
    /// The phase the first kill point aims at (0 jobs queued, 1 booting, 2 idle, 3 busy, 4 finishing; the next points
    /// take the next phases in turn); null: drawn from the seed.
    /// </summary>
    public int? FirstPhase { get; init; }

    /// <summary>Replicas of <c>drover serve</c> sharing the store (more than 1 needs <see cref="Postgres"/>); only the first is killed.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>The store is a throw-away PostgreSQL server instead of a SQLite file.</summary>
    public bool Postgres { get; init; }

    /// <summary>Kill points that restart PostgreSQL (an immediate stop, 0.5–3 s down) instead of stopping the server.</summary>
    public int PostgresRestarts { get; init; }

    /// <summary>Share of SIGKILLs among the kill points; the others are SIGTERMs.</summary>
    public double KillShare { get; init; } = 0.5;

    /// <summary>How long the jobs keep being queued.</summary>
    public TimeSpan BurstLength { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Share (0–1) of forge REST calls that fail (5xx, 429 with Retry-After, hang, answer lost after the side effect).</summary>
    public double ForgeFaultRate { get; init; } = 0.3;

    /// <summary>The kinds of forge fault drawn.</summary>
    public Drover.Testing.GitHub.RandomFault ForgeFaults { get; init; } = Drover.Testing.GitHub.RandomFault.ServerError | Drover.Testing.GitHub.RandomFault.RateLimited | Drover.Testing.GitHub.RandomFault.Hang | Drover.Testing.GitHub.RandomFault.LostAnswer;

    /// <summary>Only forge calls whose path contains this are faulted; null: every REST call.</summary>
    public string? ForgeFaultPaths { get; init; }

    /// <summary>How long a hung forge (or provider API) call is held.</summary>
    public TimeSpan HangFor { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Share of webhook deliveries lost.</summary>
    public double WebhookLoss { get; init; } = 0.2;

    /// <summary>Share of webhook deliveries sent twice.</summary>
    public double WebhookDuplication { get; init; } = 0.2;

    /// <summary>Share of webhook deliveries sent after the next one.</summary>
    public double WebhookReordering { get; init; } = 0.2;

    /// <summary>
    /// The forge's <c>pollInterval</c> in the chaos fleet: how soon what lost webhooks hid is found (a job waiting, a
    /// job that ended, with at most 20 single-job look-ups a poll).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The fleet's <c>orphanGracePeriod</c>: the grace window after which nothing may be left at the forge.</summary>
    public TimeSpan OrphanGrace { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long after every job completed nothing may be left; default the orphan grace period plus 45 s (Drover
    /// resyncs with the forge and the provider every 30 s, and a resync may meet a fault).
    /// </summary>
    public TimeSpan? SettleWindow { get; init; }

    /// <summary>The window after which nothing may be left at the forge, in /proc or in the API.</summary>
    public TimeSpan Window => SettleWindow ?? OrphanGrace + TimeSpan.FromSeconds(45);

    /// <summary>How long a SIGTERM may take before the run calls it hung (and SIGKILLs).</summary>
    public TimeSpan TermTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a restarted replica (same replica id) may take to lead again.</summary>
    public TimeSpan LeadWithin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long, after the burst, every matchable job has to complete.</summary>
    public TimeSpan CompleteWithin { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The CI slice: 20 jobs over 12 s, 3 kill points aimed at a booting, an idle and a busy runner (where a stop
    /// strands processes), fixed seed; forge faults on the runner calls (mint, list, get, delete), so the poll
    /// that covers lost webhooks always gets through and the run stays bounded.
    /// </summary>
    public static ChaosOptions Ci(int seed) => new() { Seed = seed, FirstPhase = 1, ForgeFaultPaths = "/actions/runners", CompleteWithin = TimeSpan.FromSeconds(90) };

    /// <summary>The long form: 60 jobs over 60 s, 20 kill points and 3 spot interruptions per run, faults on every forge call (polls too).</summary>
    public static ChaosOptions Long(int seed) => new() { Seed = seed, Jobs = 60, KillPoints = 20, SpotInterruptions = 3, BurstLength = TimeSpan.FromSeconds(60), CompleteWithin = TimeSpan.FromSeconds(300) };

    /// <summary>
    /// The kubernetes CI slice: 12 jobs over 8 s on the <c>kubernetes</c> provider with 30% faults on every API call
    /// (creates, deletes, lists, watches), 2 kill points (seed 23: a SIGTERM while a pod boots, a SIGKILL while one idles) and 1
    /// spot interruption (a pod evicted under its job), forge faults on the runner calls as in <see cref="Ci"/>; bounded
    /// to stay within about 90 s.
    /// </summary>
    public static ChaosOptions KubernetesCi(int seed) => new()
    {
        Seed = seed, Provider = ChaosProviderKind.Kubernetes, Jobs = 12, KillPoints = 2, SpotInterruptions = 1, FirstPhase = 1,
        BurstLength = TimeSpan.FromSeconds(8), ForgeFaultPaths = "/actions/runners", CompleteWithin = TimeSpan.FromSeconds(60),
        OrphanGrace = TimeSpan.FromSeconds(10), SettleWindow = TimeSpan.FromSeconds(40),
    };

    /// <summary>The kubernetes long form: <see cref="Long"/> on the <c>kubernetes</c> provider with 30% faults on every API call.</summary>
    public static ChaosOptions KubernetesLong(int seed) => Long(seed) with { Provider = ChaosProviderKind.Kubernetes };
}
