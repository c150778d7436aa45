using System.Collections.Concurrent;
using Drover.Testing.GitHub;

namespace Drover.Testing;

/// <summary>
/// Seeded random faults an emulator injects into its API answers (chaos runs): a share (<see cref="Rate"/>) of calls get
/// one of the <see cref="Kinds"/>, drawn from a generator seeded with <see cref="Seed"/>, and counted by kind
/// (<see cref="Injected"/>). The GitHub emulator's <see cref="EmulatorFaults"/> and the Kubernetes emulator draw from
/// the same shape; each answers a fault in its own API's words.
/// </summary>
public class RandomFaults
{
    private readonly ConcurrentDictionary<RandomFault, int> _injected = new();
    private readonly Lock _sync = new();
    private Random _random = new(1);

    /// <summary>
    /// Share (0–1) of API calls that get one of the <see cref="Kinds"/> of fault, drawn from the seeded generator
    /// (<see cref="Seed"/>). 0: none.
    /// </summary>
    public double Rate { get; set; }

    /// <summary>
    /// The kinds of random fault drawn from (each equally likely); a call that changes nothing never loses its answer, and
    /// only a stream (a watch) is cut.
    /// </summary>
    public RandomFault Kinds { get; set; } = RandomFault.ServerError | RandomFault.RateLimited | RandomFault.Hang | RandomFault.LostAnswer;

    /// <summary>Only calls whose path contains this (e.g. <c>/generate-jitconfig</c>) get random faults; null: every call.</summary>
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

    /// <summary>A number in [0, 1) from the seeded generator (e.g. when a cut stream ends).</summary>
    internal double NextDouble()
    {
        lock (_sync)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>
    /// Draws the fault (or none) of one call; <paramref name="changes"/>: the call changes something;
    /// <paramref name="stream"/>: the answer is a stream (a watch) that can be cut.
    /// </summary>
    internal RandomFault Draw(string path, bool changes, bool stream = false)
    {
        if (Rate <= 0 || (OnlyPathsContaining is { } only && !path.Contains(only, StringComparison.Ordinal)))
        {
            return RandomFault.None;
        }

        var kinds = Enum.GetValues<RandomFault>()
            .Where(k => k != RandomFault.None && Kinds.HasFlag(k) && (changes || k != RandomFault.LostAnswer) && (stream || k != RandomFault.Cut))
            .ToList();
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
