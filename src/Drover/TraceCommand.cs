using System.CommandLine;
using System.Globalization;
using Drover.Core.Traces;
using Drover.Simulation.Traces;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Drover.Cli;

/// <summary><c>drover trace</c>: make, convert and inspect the traces the capacity planner replays.</summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var command = new Command("trace", "Make, convert and inspect CI load traces for the capacity planner.");
        command.Subcommands.Add(CreateSynth());
        command.Subcommands.Add(CreateConvert());
        command.Subcommands.Add(CreateInfo());
        command.Subcommands.Add(TracePullCommand.Create());
        return command;
    }

    private static Command CreateSynth()
    {
        var days = new Option<int>("--days") { Description = "Length of the trace in days", DefaultValueFactory = _ => 7 };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var rate = new Option<double>("--rate") { Description = "Jobs per hour at the weekday peak", DefaultValueFactory = _ => new SyntheticTraceOptions().BaseJobsPerHour };
        var output = new Option<FileInfo>("--out") { Description = "Job CSV to write", Required = true };
        var labelsFrom = new Option<FileInfo?>("--labels-from") { Description = "Give the jobs the labels (or tags) and scopes of this fleet file's pools, in proportion to each pool's max" };
        var forge = new Option<string?>("--forge") { Description = "With --labels-from: the forge whose pools the jobs are for (default: the first forge with pools)" };
        var command = new Command("synth", "Generate a synthetic trace (working-hours and weekly seasonality, matrix bursts, heavy-tailed durations).")
        {
            days, seed, rate, output, labelsFrom, forge,
        };
        command.SetAction(parse =>
        {
            var options = new SyntheticTraceOptions { Days = parse.GetValue(days), Seed = parse.GetValue(seed), BaseJobsPerHour = parse.GetValue(rate) };
            if (parse.GetValue(labelsFrom) is { } fleetFile)
            {
                if (FleetLabelMix(parse, fleetFile, parse.GetValue(forge)) is not { } mix)
                {
                    return 2;
                }

                options = options with { LabelMix = mix };
            }
            else if (parse.GetResult(forge) is not null)
            {
                parse.InvocationConfiguration.Error.WriteLine("--forge: needs --labels-from (a fleet file whose pools it names)");
                return 1;
            }

            var problems = options.Validate();
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    parse.InvocationConfiguration.Error.WriteLine(problem);
                }

                return 2;
            }

            var trace = new SyntheticTraceGenerator(options).Generate();
            return Write(parse, trace, parse.GetValue(output)!);
        });
        return command;
    }

    /// <summary>The label mix of a fleet file's pools; null after printing why it cannot be made (exit 2).</summary>
    private static IReadOnlyList<LabelWeight>? FleetLabelMix(ParseResult parse, FileInfo file, string? forge)
    {
        var error = parse.InvocationConfiguration.Error;
        var loaded = new Core.Config.FleetConfigLoader(Adapters.ValidationOptions()).LoadFromFile(file.ToString());
        if (loaded.Config is not { } fleet)
        {
            foreach (var problem in loaded.Errors)
            {
                error.WriteLine(problem.ToString());
            }

            return null;
        }

        forge ??= fleet.Forges.FirstOrDefault(f => fleet.Pools.Any(p => p.Forge == f.Name))?.Name;
        try
        {
            return Simulation.Traces.FleetLabelMix.For(fleet, forge ?? string.Empty, withScopes: true);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"--forge: {e.Message.Split(" (Parameter", 2)[0]}");
            return null;
        }
    }

    private static Command CreateConvert()
    {
        var from = new Option<FileInfo>("--from") { Description = "Trace to read: job CSV, rate series, conda-forge series or treeherder export", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Job CSV to write", Required = true };
        var load = new TraceLoadArguments();
        var command = new Command("convert", "Load a trace of any supported format and write it as a job CSV.") { from, output };
        load.AddTo(command);
        command.SetAction(parse =>
        {
            var trace = Load(parse, parse.GetValue(from)!, load);
            return trace is null ? 2 : Write(parse, trace, parse.GetValue(output)!);
        });
        return command;
    }

    private static Command CreateInfo()
    {
        var from = new Option<FileInfo>("--from") { Description = "Trace to read", Required = true };
        var load = new TraceLoadArguments();
        var command = new Command("info", "Load a trace and print its summary, notes and load time.") { from };
        load.AddTo(command);
        command.SetAction(parse =>
        {
            var started = Stopwatch.GetTimestamp();
            var trace = Load(parse, parse.GetValue(from)!, load);
            if (trace is null)
            {
                return 2;
            }

            var output = parse.InvocationConfiguration.Output;
            Print(output, trace);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loaded in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
            return 0;
        });
        return command;
    }

    /// <summary>Loads a trace, or prints why it cannot be (file and line) and returns null (exit 2).</summary>
    internal static Trace? Load(ParseResult parse, FileInfo file, TraceLoadArguments load)
    {
        try
        {
            return TraceReader.Load(file.ToString(), load.Read(parse));
        }
        catch (TraceFormatException e)
        {
            parse.InvocationConfiguration.Error.WriteLine(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"{file}: {e.Message}");
        }

        return null;
    }

    private static int Write(ParseResult parse, Trace trace, FileInfo output)
    {
        try
        {
            JobCsv.Write(trace, output.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"{output}: {e.Message}");
            return 1;
        }

        Print(parse.InvocationConfiguration.Output, trace);
        parse.InvocationConfiguration.Output.WriteLine($"wrote {output}");
        return 0;
    }

    private static void Print(TextWriter output, Trace trace)
    {
        output.WriteLine(trace.Summary());
        foreach (var note in trace.Notes)
        {
            output.WriteLine($"  note: {note}");
        }
    }
}
