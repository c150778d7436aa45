using System.Collections.Concurrent;
using System.Net;

namespace Drover.Testing.GitHub;

/// <summary>
/// Faults the emulator injects into its REST answers, set by a test: counted ones (<see cref="FailNext"/>,
/// <see cref="RateLimitNext"/>, <see cref="LoseAnswerNext"/>) for a scenario that needs one exact fault, and seeded
/// random ones (<see cref="RandomFaults.Rate"/>, <see cref="RandomFaults.Kinds"/>) for chaos runs; calls of the runners'
/// private protocol are never faulted.
/// </summary>
public sealed class EmulatorFaults : RandomFaults
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

/// <summary>A kind of random API fault (<see cref="RandomFaults.Rate"/>).</summary>
[Flags]
public enum RandomFault
{
    /// <summary>No fault.</summary>
    None = 0,

    /// <summary>Answered with a 5xx (GitHub: <see cref="EmulatorFaults.ErrorStatus"/>) before anything is done.</summary>
    ServerError = 1,

    /// <summary>Refused with 429 and <c>Retry-After</c> (<see cref="RandomFaults.RandomRetryAfter"/>) before anything is done.</summary>
    RateLimited = 2,

    /// <summary>Held for <see cref="RandomFaults.HangFor"/>, then carried out and answered.</summary>
    Hang = 4,

    /// <summary>Carried out, then answered with a 5xx (GitHub: <see cref="EmulatorFaults.ErrorStatus"/>): the answer lost after the side effect.</summary>
    LostAnswer = 8,

    /// <summary>A stream (a Kubernetes watch) answered, then closed early, before its time is up.</summary>
    Cut = 16,
}
