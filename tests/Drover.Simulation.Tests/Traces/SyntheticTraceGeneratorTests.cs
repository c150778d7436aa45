using Drover.Core.Traces;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

public sealed class SyntheticTraceGeneratorTests
{
    private static Trace Generate(SyntheticTraceOptions? options = null) =>
        new SyntheticTraceGenerator(options ?? new SyntheticTraceOptions()).Generate();

    [Fact]
    public void Generate_SameSeed_GivesIdenticalJobs()
    {
        Assert.Equal(Generate(new() { Seed = 5 }).Jobs, Generate(new() { Seed = 5 }).Jobs);
    }

    [Fact]
    public void Generate_DifferentSeed_GivesDifferentJobs()
    {
        Assert.NotEqual(Generate(new() { Seed = 5 }).Jobs, Generate(new() { Seed = 6 }).Jobs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Generate_Defaults_GivesTwoToTenThousandJobsAWeekWithinTheWeek(int seed)
    {
        var options = new SyntheticTraceOptions { Seed = seed };

        var trace = Generate(options);

        Assert.InRange(trace.Count, 2_000, 10_000);
        Assert.True(trace.Start >= options.Start);
        Assert.True(trace.End < options.Start.AddDays(7).AddSeconds(options.FanOutSeconds));
    }

    [Fact]
    public void Generate_FourWeeks_WeekdaysBusierThanWeekends()
    {
        var trace = Generate(new() { Days = 28 });

        var weekend = trace.Jobs.Count(j => j.QueuedAt.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) / 8.0;
        var weekday = trace.Jobs.Count(j => j.QueuedAt.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) / 20.0;

        Assert.True(weekday > 2 * weekend, $"weekday {weekday:0} jobs/day, weekend {weekend:0} jobs/day");
    }

    [Fact]
    public void Generate_FourWeeks_WorkingHoursBusierThanNight()
    {
        var trace = Generate(new() { Days = 28 });

        var day = trace.Jobs.Count(j => j.QueuedAt.Hour is >= 10 and < 16) / 6.0;
        var night = trace.Jobs.Count(j => j.QueuedAt.Hour is < 4 or >= 22) / 6.0;

        Assert.True(day > 3 * night, $"day {day:0} jobs/hour-slot, night {night:0}");
    }

    [Fact]
    public void Generate_Defaults_HasMatrixBurstsWithinSeconds()
    {
        var options = new SyntheticTraceOptions();
        var jobs = Generate(options).Jobs;

        var bursts = 0;
        for (var i = 0; i + options.MatrixMin <= jobs.Count; i++)
        {
            var last = jobs[i + options.MatrixMin - 1];
            if (last.QueuedAtUnixMs - jobs[i].QueuedAtUnixMs <= options.FanOutSeconds * 1000 && last.Scope == jobs[i].Scope)
            {
                bursts++;
                i += options.MatrixMin - 1;
            }
        }

        Assert.True(bursts >= 50, $"{bursts} bursts of at least {options.MatrixMin} jobs within {options.FanOutSeconds} s");
    }

    [Fact]
    public void Generate_FourWeeks_FollowsTheLabelMix()
    {
        var trace = Generate(new() { Days = 28 });

        double Share(string labels) => trace.Jobs.Count(j => j.Labels.Text == labels) / (double)trace.Count;

        Assert.Equal(4, trace.LabelSets.Count);
        Assert.InRange(Share("linux"), 0.66, 0.74);
        Assert.InRange(Share("gpu;linux"), 0.03, 0.07);
        Assert.InRange(Share("windows"), 0.12, 0.18);
        Assert.InRange(Share("macos"), 0.07, 0.13);
    }

    [Fact]
    public void RateFactor_Defaults_PeaksAtWeekdayMidday()
    {
        var generator = new SyntheticTraceGenerator(new SyntheticTraceOptions());
        var monday = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(1.0, generator.RateFactor(monday.AddHours(13)), 9);
        Assert.Equal(0.15, generator.RateFactor(monday.AddHours(2)), 9);
        Assert.Equal(0.3, generator.RateFactor(monday.AddDays(5).AddHours(13)), 9);
    }

    [Fact]
    public void Constructor_SeveralBadOptions_ListsEveryProblem()
    {
        var options = new SyntheticTraceOptions { Days = 0, BaseJobsPerHour = -1, MatrixMin = 10, MatrixMax = 2 };

        var error = Assert.Throws<ArgumentException>(() => new SyntheticTraceGenerator(options));

        Assert.Contains("Days", error.Message, StringComparison.Ordinal);
        Assert.Contains("BaseJobsPerHour", error.Message, StringComparison.Ordinal);
        Assert.Contains("MatrixMin", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, options.Validate().Count);
    }

    [Fact]
    public void Generate_Defaults_RoundTripsThroughJobCsv()
    {
        var trace = Generate();
        var text = new StringWriter();

        JobCsv.Write(trace, text);
        var read = JobCsv.Read(new StringReader(text.ToString()), "synth.csv");

        Assert.Equal(trace.Jobs, read.Jobs);
        Assert.Equal(trace.Notes, read.Notes);
    }
}
