using System.Collections.Concurrent;
using System.Net;

namespace Drover.Testing.GitHub;

/// <summary>Faults the emulator injects into its REST answers, set by a test.</summary>
public sealed class EmulatorFaults
{
    /// <summary>The next this many REST calls are answered with <see cref="ErrorStatus"/>.</summary>
    public int FailNext { get; set; }

    public HttpStatusCode ErrorStatus { get; set; } = HttpStatusCode.BadGateway;

    /// <summary>The next this many REST calls are refused as rate limited.</summary>
    public int RateLimitNext { get; set; }

    /// <summary>403 (primary/secondary) or 429.</summary>
    public HttpStatusCode RateLimitStatus { get; set; } = HttpStatusCode.Forbidden;

    /// <summary>Retry-After on the refusal (secondary limits); null: X-RateLimit-Remaining 0 until the reset.</summary>
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>
    /// The next this many REST calls that change something are carried out but answered with <see cref="ErrorStatus"/>,
    /// as when GitHub's answer is lost after the side effect (a runner minted, the client never told).
    /// </summary>
    public int LoseAnswerNext { get; set; }

    /// <summary>
    /// Jobs whose records (in the jobs lists, the single-job answer and webhooks) carry a <c>created_at</c> that is no
    /// date: a record a client cannot read.
    /// </summary>
    public ConcurrentDictionary<long, bool> UnreadableJobs { get; } = new();

    /// <summary>Added to every REST answer.</summary>
    public TimeSpan Latency { get; set; }
}
