using System.Security.Cryptography;

namespace Drover.Testing.GitHub;

/// <summary>How an emulator starts.</summary>
public sealed record GitHubEmulatorOptions
{
    /// <summary><c>""</c> for github.com's layout, <c>/api/v3</c> for GitHub Enterprise Server's.</summary>
    public string PathPrefix { get; init; } = string.Empty;

    /// <summary>Personal access tokens the API accepts.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    /// <summary>The GitHub App whose JWTs the token endpoint accepts (its public key), if any.</summary>
    public RSA? AppKey { get; init; }

    public long AppId { get; init; } = 4242;

    public long InstallationId { get; init; } = 77;

    /// <summary>Lifetime of installation tokens.</summary>
    public TimeSpan InstallationTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Core rate limit per window.</summary>
    public int RateLimit { get; init; } = 5000;

    /// <summary>
    /// Secondary rate limit: the points one endpoint (method and path, ids left out) may spend per
    /// <see cref="SecondaryWindow"/>, a GET costing 1 point and any other method 5 (GitHub: 900 a minute); past it the
    /// emulator answers 429 with <c>Retry-After</c> until the window ends. 0: no secondary limit.
    /// </summary>
    public int SecondaryPointsPerWindow { get; init; }

    /// <summary>The window of <see cref="SecondaryPointsPerWindow"/> (GitHub: one minute).</summary>
    public TimeSpan SecondaryWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest page the lists return (GitHub: 100).</summary>
    public int MaxPerPage { get; init; } = 100;

    /// <summary>Timestamps and the rate-limit window.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Seeds the webhook drop/duplicate choices.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How long a scale set's long poll for a message waits before answering 202 (GitHub: about 50 s).</summary>
    public TimeSpan ScaleSetPollWindow { get; init; } = TimeSpan.FromSeconds(50);

    /// <summary>Lifetime of the Actions service admin tokens <c>/actions/runner-registration</c> hands out.</summary>
    public TimeSpan AdminTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of a message session's queue token (refreshed by <c>PATCH</c> on the session).</summary>
    public TimeSpan QueueTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A message session nobody polls for this long is dropped, as the service drops a listener's session once it stops
    /// polling (how long GitHub waits is not published); null keeps sessions until deleted or evicted.
    /// </summary>
    public TimeSpan? ScaleSetSessionIdleTimeout { get; init; }

    /// <summary>
    /// True: jobs are assigned to a scale set at once (<c>JobAssigned</c>, as GitHub does since 2026); false: offered as
    /// <c>JobAvailable</c> first and assigned only once the listener acquires them.
    /// </summary>
    public bool AssignScaleSetJobsDirectly { get; init; } = true;
}
