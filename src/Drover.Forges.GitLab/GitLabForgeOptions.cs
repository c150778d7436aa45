namespace Drover.Forges.GitLab;

/// <summary>How a GitLab forge adapter behaves beyond its configuration (docs/forges/gitlab.md).</summary>
public sealed record GitLabForgeOptions
{
    /// <summary>Reads environment variables for <c>env:</c> secret references; the process environment when null.</summary>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>The HTTP handler (tests point it at an emulator); a new socket handler when null.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>The jitter source of the poller's backoff; a randomly seeded one when null (never a fixed seed in production).</summary>
    public Random? Random { get; init; }

    /// <summary>Timeout of one API request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often pending jobs are polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The client's own budget: at most this many API requests in any minute (<see cref="RequestWindow"/>), whatever
    /// the server says (self-managed instances may run with rate limits off; a large group must not flood them), and
    /// fewer when GitLab reports its own budget spent (<c>RateLimit-Remaining</c>, <c>RateLimit-Reset</c>) or asks for a
    /// pause (<c>Retry-After</c>). GitLab.com allows 2,000 authenticated API requests a minute per user.
    /// </summary>
    public int RequestsPerMinute { get; init; } = 300;

    /// <summary>The window of <see cref="RequestsPerMinute"/>: a minute (benchmarks compress it).</summary>
    public TimeSpan RequestWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest a call waits for a 429's <c>Retry-After</c> or the budget before it fails.</summary>
    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether pending jobs are polled (webhooks alone when false).</summary>
    public bool Polling { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static GitLabForgeOptions Default { get; } = new();
}
