namespace Drover.Forges.GitHub;

/// <summary>Settings of a GitHub forge adapter that the fleet file does not carry; the defaults suit github.com.</summary>
public sealed record GitHubForgeOptions
{
    /// <summary>The defaults.</summary>
    public static GitHubForgeOptions Default { get; } = new();

    /// <summary>
    /// The flat pool template setting that named the runner group id (<c>template.settings</c>), read for one more release;
    /// a pool's <c>github.runnerGroupId</c> replaces it.
    /// </summary>
    public const string RunnerGroupSetting = "githubRunnerGroupId";

    /// <summary>Whether the polling reconciler runs (it is the only demand source of a forge without a webhook secret).</summary>
    public bool Polling { get; init; } = true;

    /// <summary>Time between polls of queued and running workflow runs. Default 60 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Jobs the poller watches (reported by a webhook or an earlier poll) that left both the queued and the in-progress
    /// lists are looked up one request each to learn how they ended; at most this many per poll, the longest-waiting
    /// first. A job whose look-up says it is still waiting or running (or fails) is looked up again only after a delay
    /// that doubles from one poll interval up to 15 minutes. Default 20.
    /// </summary>
    public int MaxJobLookupsPerPoll { get; init; } = 20;

    /// <summary>Rate-limit holds up to this long are waited out inside a call; longer ones fail calls at once. Default 5 s.</summary>
    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The secondary limit the client paces each endpoint to (method and path, ids left out; a GET costs 1 point, any
    /// other method 5), so GitHub never has to refuse a call: points per <see cref="SecondaryWindow"/>. Default 900 (GitHub's
    /// documented limit); 0 turns pacing off (GitHub's refusals and <c>Retry-After</c> still pause the forge).
    /// </summary>
    public int SecondaryPointsPerWindow { get; init; } = Api.RateLimitGate.SecondaryPointsPerWindow;

    /// <summary>The window of <see cref="SecondaryPointsPerWindow"/>. Default one minute.</summary>
    public TimeSpan SecondaryWindow { get; init; } = Api.RateLimitGate.SecondaryWindow;

    /// <summary>Calls in flight at most (GitHub allows 100 concurrent requests). Default 10.</summary>
    public int MaxConcurrency { get; init; } = 10;

    /// <summary>Per-request timeout. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads environment variables for <c>env:</c> secret references; the process environment when null.</summary>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>The jitter source of the poller's backoff; a randomly seeded one when null (never a fixed seed in production).</summary>
    public Random? Random { get; init; }

    /// <summary>
    /// The wait before a scale-set listener asks again for a message session another holder has (one cheap request; a
    /// replica that died holding it leaves it until GitHub expires it). Default 5 s.
    /// </summary>
    public TimeSpan ScaleSetConflictRetry { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a scale-set long poll may take before it is given up (GitHub answers within about 50 s). Default 5 min.</summary>
    public TimeSpan ScaleSetPollTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The owner name scale-set message sessions are opened with; the machine name when null.</summary>
    public string? ScaleSetOwner { get; init; }

    /// <summary>The HTTP handler; a <see cref="SocketsHttpHandler"/> when null.</summary>
    public HttpMessageHandler? Handler { get; init; }
}
