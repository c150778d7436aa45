using System.Globalization;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// Shape of a synthetic CI load. The defaults give about 4,800 jobs a week: busy weekday afternoons (UTC),
/// quiet nights and weekends, one push in ten fanning out a matrix of 4–24 jobs.
/// </summary>
public sealed record SyntheticTraceOptions
{
    public int Days { get; init; } = 7;

    public int Seed { get; init; } = 1;

    /// <summary>First instant of the trace; a Monday at midnight UTC by default.</summary>
    public DateTimeOffset Start { get; init; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Expected jobs per hour at the weekday peak; seasonality scales it down elsewhere.</summary>
    public double BaseJobsPerHour { get; init; } = 100;

    /// <summary>Hour of day (UTC, fractional) at which the working-hours peak is highest.</summary>
    public double PeakHourUtc { get; init; } = 13;

    /// <summary>Width in hours of the working-hours bump around <see cref="PeakHourUtc"/>.</summary>
    public double WorkingHours { get; init; } = 12;

    /// <summary>Rate outside working hours, as a fraction of the peak.</summary>
    public double NightFactor { get; init; } = 0.15;

    /// <summary>Rate on Saturdays and Sundays, as a fraction of a weekday's at the same hour.</summary>
    public double WeekendFactor { get; init; } = 0.3;

    /// <summary>Fraction of pushes that fan out a matrix.</summary>
    public double BurstProbability { get; init; } = 0.1;

    public int MatrixMin { get; init; } = 4;

    public int MatrixMax { get; init; } = 24;

    /// <summary>Jobs of an ordinary push (not a matrix): uniformly between 1 and this.</summary>
    public int PushJobsMax { get; init; } = 3;

    /// <summary>All jobs of one push are queued within this many seconds of it.</summary>
    public double FanOutSeconds { get; init; } = 5;

    /// <summary>Number of repositories (<c>example/repo-N</c>) pushes are spread over.</summary>
    public int Repositories { get; init; } = 8;

    public IReadOnlyList<LabelWeight> LabelMix { get; init; } =
    [
        new(LabelSet.Create(["linux"]), 0.70),
        new(LabelSet.Create(["linux", "gpu"]), 0.05),
        new(LabelSet.Create(["windows"]), 0.15),
        new(LabelSet.Create(["macos"]), 0.10),
    ];

    public IDurationDistribution Durations { get; init; } = new LogNormalParetoDurations(
        medianSeconds: 240, sigma: 0.8, tailProbability: 0.05, tailScaleSeconds: 1800, tailAlpha: 1.5, capSeconds: 6 * 3600);

    /// <summary>Every problem with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, FormattableString problem)
        {
            if (!ok)
            {
                errors.Add(problem.ToString(CultureInfo.InvariantCulture));
            }
        }

        var maxDays = (int)TraceLimits.MaxSpan.TotalDays;
        Check(Days > 0 && Days <= maxDays, $"Days must be between 1 and {maxDays} (the longest span a trace may cover), not {Days}");
        Check(double.IsFinite(BaseJobsPerHour) && BaseJobsPerHour > 0, $"BaseJobsPerHour must be positive, not {BaseJobsPerHour}");
        Check(
            !double.IsFinite(BaseJobsPerHour) || BaseJobsPerHour * 24 * Math.Max(Days, 1) <= TraceLimits.MaxJobs,
            $"BaseJobsPerHour ({BaseJobsPerHour}) over {Days} days could exceed the {TraceLimits.MaxJobs} jobs a trace may hold");
        Check(PeakHourUtc is >= 0 and < 24, $"PeakHourUtc must be in [0, 24), not {PeakHourUtc}");
        Check(WorkingHours is > 0 and <= 24, $"WorkingHours must be in (0, 24], not {WorkingHours}");
        Check(NightFactor is >= 0 and <= 1, $"NightFactor must be in [0, 1], not {NightFactor}");
        Check(WeekendFactor is >= 0 and <= 1, $"WeekendFactor must be in [0, 1], not {WeekendFactor}");
        Check(BurstProbability is >= 0 and <= 1, $"BurstProbability must be in [0, 1], not {BurstProbability}");
        Check(MatrixMin >= 1 && MatrixMax >= MatrixMin, $"MatrixMin ({MatrixMin}) must be at least 1 and at most MatrixMax ({MatrixMax})");
        Check(PushJobsMax >= 1, $"PushJobsMax must be at least 1, not {PushJobsMax}");
        Check(FanOutSeconds is >= 0 and <= 3600, $"FanOutSeconds must be in [0, 3600], not {FanOutSeconds}");
        Check(Repositories >= 1, $"Repositories must be at least 1, not {Repositories}");
        Check(LabelMix is { Count: > 0 }, $"LabelMix needs at least one entry");
        if (LabelMix is not null)
        {
            foreach (var entry in LabelMix)
            {
                Check(double.IsFinite(entry.Weight) && entry.Weight >= 0, $"LabelMix weight of '{entry.Labels}' must be finite and not negative, not {entry.Weight}");
            }

            Check(LabelMix.Sum(e => e.Weight) > 0, $"LabelMix weights must not all be zero");
        }

        Check(Durations is not null, $"Durations are required");
        return errors;
    }
}
