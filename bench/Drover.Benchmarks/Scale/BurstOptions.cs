namespace Drover.Benchmarks.Scale;

/// <summary>What the burst part of <c>bench scale</c> runs.</summary>
internal sealed record BurstOptions
{
    /// <summary>Jobs queued at once on the one pool.</summary>
    public int Jobs { get; init; } = 1000;

    /// <summary>
    /// The emulated forge's secondary-limit window (GitHub: one minute, 900 points per endpoint, a POST costing 5). A
    /// shorter window compresses time: the same points per window, so the bench ends sooner at a proportionally higher rate.
    /// </summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Points per endpoint and window.</summary>
    public int PointsPerWindow { get; init; } = 900;

    /// <summary>How long an instance boots before its runner is online.</summary>
    public TimeSpan Boot { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest the bench waits for every runner to be ready.</summary>
    public TimeSpan Limit { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The GitLab burst's limit on authenticated API requests per window (GitLab.com: 2,000 a minute per user, every
    /// endpoint alike).
    /// </summary>
    public int GitLabRequestsPerWindow { get; init; } = 2000;

    /// <summary>The provider's <c>maxConcurrentCreates</c>.</summary>
    public int MaxConcurrentCreates { get; init; } = 10;
}
