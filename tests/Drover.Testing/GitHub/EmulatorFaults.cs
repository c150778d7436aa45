using System.Collections.Concurrent;
using System.Net;

namespace Drover.Testing.GitHub;

/// <summary>
/// Faults the emulator injects into its REST answers, set by a test: counted ones (<see cref="FailNext"/>,
/// <see cref="RateLimitNext"/>, <see cref="LoseAnswerNext"/>) for a scenario that needs one exact fault, and seeded
/// random ones (<see cref="Rate"/>, <see cref="Kinds"/>) for chaos runs.
/// </summary>
public sealed class EmulatorFaults
{
    private readonly ConcurrentDictionary<RandomFault, int> _injected = new();
    private readonly Lock _sync = new();
    private Random _random = new(1);

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

    /// <summary>
    /// Share (0–1) of REST calls that get one of the <see cref="Kinds"/> of fault, drawn from the seeded generator
    /// (<see cref="Seed"/>). 0: none. Calls of the runners' private protocol are never faulted.
    /// </summary>
    public double Rate { get; set; }

    /// <summary>The kinds of random fault drawn from (each equally likely); a call that changes nothing never loses its answer.</summary>
    public RandomFault Kinds { get; set; } = RandomFault.ServerError | RandomFault.RateLimited | RandomFault.Hang | RandomFault.LostAnswer;

    /// <summary>Only calls whose path contains this (e.g. <c>/generate-jitconfig</c>) get random faults; null: every REST call.</summary>
    public string? OnlyPathsContaining { get; set; }

    /// <summary>How long a <see cref="RandomFault.Hang"/> holds the answer before carrying the call out.</summary>
    public TimeSpan HangFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Retry-After of a <see cref="RandomFault.RateLimited"/> refusal (answered 429).</summary>
    public TimeSpan RandomRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Random faults injected so far, by kind.</summary>
    public IReadOnlyDictionary<RandomFault, int> Injected => new Dictionary<RandomFault, int>(_injected);

    /// <summary>Restarts the random faults' generator from <paramref name="seed"/>.</summary>
    public void Seed(int seed)
    {
        lock (_sync)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>Draws the fault (or none) of one REST call; <paramref name="changes"/>: the call changes something.</summary>
    internal RandomFault Draw(string path, bool changes)
    {
        if (Rate <= 0 || (OnlyPathsContaining is { } only && !path.Contains(only, StringComparison.Ordinal)))
        {
            return RandomFault.None;
        }

        var kinds = Enum.GetValues<RandomFault>().Where(k => k != RandomFault.None && Kinds.HasFlag(k) && (changes || k != RandomFault.LostAnswer)).ToList();
        RandomFault fault;
        lock (_sync)
        {
            if (kinds.Count == 0 || _random.NextDouble() >= Rate)
            {
                return RandomFault.None;
            }

            fault = kinds[_random.Next(kinds.Count)];
        }

        _injected.AddOrUpdate(fault, 1, (_, n) => n + 1);
        return fault;
    }
}

/// <summary>A kind of random REST fault (<see cref="EmulatorFaults.Rate"/>).</summary>
[Flags]
public enum RandomFault
{
    /// <summary>No fault.</summary>
    None = 0,

    /// <summary>Answered with <see cref="EmulatorFaults.ErrorStatus"/> before anything is done.</summary>
    ServerError = 1,

    /// <summary>Refused with 429 and <c>Retry-After</c> (<see cref="EmulatorFaults.RandomRetryAfter"/>) before anything is done.</summary>
    RateLimited = 2,

    /// <summary>Held for <see cref="EmulatorFaults.HangFor"/>, then carried out and answered.</summary>
    Hang = 4,

    /// <summary>Carried out, then answered with <see cref="EmulatorFaults.ErrorStatus"/> (the answer lost after the side effect).</summary>
    LostAnswer = 8,
}
