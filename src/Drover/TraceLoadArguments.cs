using System.CommandLine;
using Drover.Simulation.Traces;

namespace Drover.Cli;

/// <summary>The options of <c>drover trace</c> commands that say how to fill in what a source does not record.</summary>
internal sealed class TraceLoadArguments
{
    private readonly Option<int> _seed = new("--seed") { Description = "Seed for arrival positions and durations drawn for rate series", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _arrivals = new("--arrivals")
    {
        Description = "How counted jobs become arrivals: 'within-bin' (the planning scenario) or 'shift-back' (completions moved back by their duration)",
        DefaultValueFactory = _ => "within-bin",
    };

    private readonly Option<double?> _binWidth = new("--bin-width") { Description = "Bin width in seconds of a bin_start,count series (inferred when left out)" };
    private readonly Option<string[]> _labels = new("--labels") { Description = "Labels of jobs from sources without labels", DefaultValueFactory = _ => ["linux"], AllowMultipleArgumentsPerToken = true };
    private readonly Option<double> _median = new("--duration-median") { Description = "Median of the lognormal durations, seconds", DefaultValueFactory = _ => LogNormalDurations.PlanningScenario.MedianSeconds };
    private readonly Option<double> _sigma = new("--duration-sigma") { Description = "Sigma of the lognormal durations", DefaultValueFactory = _ => LogNormalDurations.PlanningScenario.Sigma };
    private readonly Option<double> _cap = new("--duration-cap") { Description = "Cap of the lognormal durations, seconds", DefaultValueFactory = _ => LogNormalDurations.PlanningScenario.CapSeconds };
    private readonly Option<FileInfo?> _durationsFrom = new("--durations-from") { Description = "Draw durations from the jobs of this trace instead (e.g. the treeherder export)" };
    private readonly Option<bool> _osLabel = new("--treeherder-os-label") { Description = "Treeherder: add os_name as a second label next to platform" };

    public TraceLoadArguments()
    {
        _arrivals.AcceptOnlyFromAmong("within-bin", "shift-back");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_seed);
        command.Options.Add(_arrivals);
        command.Options.Add(_binWidth);
        command.Options.Add(_labels);
        command.Options.Add(_median);
        command.Options.Add(_sigma);
        command.Options.Add(_cap);
        command.Options.Add(_durationsFrom);
        command.Options.Add(_osLabel);
    }

    /// <summary>The seed given with <c>--seed</c> (default 1).</summary>
    public int Seed(ParseResult parse) => parse.GetValue(_seed);

    /// <exception cref="ArgumentException">A duration setting is out of range.</exception>
    /// <exception cref="TraceFormatException">The <c>--durations-from</c> trace is malformed.</exception>
    public TraceLoadOptions Read(ParseResult parse)
    {
        var seed = parse.GetValue(_seed);
        IDurationDistribution durations = parse.GetValue(_durationsFrom) is { } file
            ? EmpiricalDurations.FromTrace(TraceReader.Load(file.ToString(), new TraceLoadOptions { Seed = seed }))
            : new LogNormalDurations(parse.GetValue(_median), parse.GetValue(_sigma), parse.GetValue(_cap));
        return new TraceLoadOptions
        {
            Seed = seed,
            Durations = durations,
            Placement = parse.GetValue(_arrivals) == "shift-back" ? ArrivalPlacement.ShiftBackByDuration : ArrivalPlacement.WithinBin,
            BinWidth = parse.GetValue(_binWidth) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            DefaultLabels = parse.GetValue(_labels) ?? ["linux"],
            TreeherderOsNameLabel = parse.GetValue(_osLabel),
        };
    }
}
