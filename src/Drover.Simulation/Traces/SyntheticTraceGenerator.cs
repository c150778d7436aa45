using System.Globalization;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// Generates a synthetic CI load. Pushes arrive as a Poisson process whose rate follows the working day and
/// the week (thinning of a process at the peak rate); each push queues one to a few jobs, or with
/// <see cref="SyntheticTraceOptions.BurstProbability"/> a matrix of many, all within seconds. Each job draws its
/// labels from the mix and a heavy-tailed duration. One <see cref="Random"/> seeded with
/// <see cref="SyntheticTraceOptions.Seed"/> makes every choice, so a seed fixes the trace.
/// </summary>
public sealed class SyntheticTraceGenerator
{
    private readonly SyntheticTraceOptions _options;
    private readonly double[] _cumulativeWeights;

    /// <exception cref="ArgumentException">The options are not usable; the message lists every problem.</exception>
    public SyntheticTraceGenerator(SyntheticTraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid synthetic trace options: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _cumulativeWeights = new double[options.LabelMix.Count];
        double sum = 0;
        for (var i = 0; i < _cumulativeWeights.Length; i++)
        {
            sum += options.LabelMix[i].Weight;
            _cumulativeWeights[i] = sum;
        }
    }

    /// <summary>Mean jobs per push under the options.</summary>
    public double MeanJobsPerPush =>
        ((1 - _options.BurstProbability) * (1 + _options.PushJobsMax) / 2.0)
        + (_options.BurstProbability * (_options.MatrixMin + _options.MatrixMax) / 2.0);

    /// <summary>The rate at <paramref name="at"/> as a fraction of <see cref="SyntheticTraceOptions.BaseJobsPerHour"/>, in [0, 1].</summary>
    public double RateFactor(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var hour = utc.TimeOfDay.TotalHours;
        var distance = Math.Abs(hour - _options.PeakHourUtc);
        distance = Math.Min(distance, 24 - distance);
        var bump = distance < _options.WorkingHours / 2
            ? 0.5 * (1 + Math.Cos(2 * Math.PI * distance / _options.WorkingHours))
            : 0;
        var daily = _options.NightFactor + ((1 - _options.NightFactor) * bump);
        var weekend = utc.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        return daily * (weekend ? _options.WeekendFactor : 1.0);
    }

    public Trace Generate()
    {
        var options = _options;
        var random = new Random(options.Seed);
        var startMs = options.Start.ToUnixTimeMilliseconds();
        var endMs = startMs + ((long)options.Days * 86_400_000);
        var pushesPerMs = options.BaseJobsPerHour / MeanJobsPerPush / 3_600_000.0;
        var scopes = Enumerable.Range(1, options.Repositories)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"example/repo-{i}"))
            .ToArray();

        var jobs = new List<TraceJob>();
        double t = startMs;
        var pushes = 0;
        var matrices = 0;
        while (true)
        {
            t += -Math.Log(1.0 - random.NextDouble()) / pushesPerMs;
            if (t >= endMs)
            {
                break;
            }

            var pushMs = (long)t;
            if (random.NextDouble() >= RateFactor(DateTimeOffset.FromUnixTimeMilliseconds(pushMs)))
            {
                continue;
            }

            pushes++;
            var matrix = random.NextDouble() < options.BurstProbability;
            var size = matrix ? random.Next(options.MatrixMin, options.MatrixMax + 1) : random.Next(1, options.PushJobsMax + 1);
            matrices += matrix ? 1 : 0;
            var scope = scopes[random.Next(scopes.Length)];
            for (var i = 0; i < size; i++)
            {
                var queued = pushMs + (long)(random.NextDouble() * options.FanOutSeconds * 1000);
                var entry = PickLabels(random);
                var duration = options.Durations.Sample(random);
                jobs.Add(new TraceJob(queued, null, duration, entry.Labels, entry.Scope ?? scope));
            }
        }

        var notes = new List<string>
        {
            string.Create(
                CultureInfo.InvariantCulture,
                $"Synthetic trace (seed {options.Seed}): {options.Days} days from {TraceValues.FormatInstant(options.Start)}, {options.BaseJobsPerHour:0.##} jobs/hour at the weekday peak ({options.PeakHourUtc:0.##}:00 UTC), {options.NightFactor:0.##} of it at night, weekends at {options.WeekendFactor:0.##} of weekdays."),
            string.Create(
                CultureInfo.InvariantCulture,
                $"{pushes:N0} pushes over {options.Repositories} repositories; {matrices:N0} of them fanned out a matrix of {options.MatrixMin}-{options.MatrixMax} jobs within {options.FanOutSeconds:0.##} s, the others 1-{options.PushJobsMax} jobs."),
            "Label mix: " + string.Join(", ", options.LabelMix.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Labels}{(e.Scope is null ? string.Empty : " in " + e.Scope)} {e.Weight / _cumulativeWeights[^1]:P0}"))) + ".",
            $"Durations: {options.Durations.Description}.",
            "Start times are unknown: the simulator decides when jobs start.",
        };
        return new Trace(
            string.Create(CultureInfo.InvariantCulture, $"synthetic-{options.Days}d-seed{options.Seed}"),
            "SyntheticTraceGenerator",
            jobs,
            notes);
    }

    private LabelWeight PickLabels(Random random)
    {
        var u = random.NextDouble() * _cumulativeWeights[^1];
        for (var i = 0; i < _cumulativeWeights.Length; i++)
        {
            if (u < _cumulativeWeights[i])
            {
                return _options.LabelMix[i];
            }
        }

        return _options.LabelMix[^1];
    }
}
