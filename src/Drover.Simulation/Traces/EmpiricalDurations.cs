using System.Globalization;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>Run times drawn uniformly from a list of observed ones (one <see cref="Random.Next(int)"/> per sample).</summary>
public sealed class EmpiricalDurations : IDurationDistribution
{
    private readonly double[] _seconds;

    public EmpiricalDurations(IEnumerable<double> seconds, string origin = "an empirical list")
    {
        ArgumentNullException.ThrowIfNull(seconds);
        _seconds = [.. seconds];
        if (_seconds.Length == 0)
        {
            throw new ArgumentException("needs at least one duration", nameof(seconds));
        }

        foreach (var value in _seconds)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentException($"duration {value} is not a finite, non-negative number of seconds", nameof(seconds));
            }
        }

        Array.Sort(_seconds);
        Origin = origin;
    }

    /// <summary>The run times of a trace's jobs.</summary>
    public static EmpiricalDurations FromTrace(Trace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return new EmpiricalDurations(trace.Jobs.Select(j => j.DurationSeconds), $"the {trace.Count} run times of {trace.Name}");
    }

    public IReadOnlyList<double> Seconds => _seconds;

    public string Origin { get; }

    public string Description => string.Create(
        CultureInfo.InvariantCulture,
        $"drawn uniformly from {Origin} (median {_seconds[_seconds.Length / 2]:0.#} s)");

    public double Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return _seconds[random.Next(_seconds.Length)];
    }
}
