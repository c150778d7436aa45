using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Traces;
using Drover.Simulation.Engine;
using Drover.Simulation.FleetPlanning;
using Drover.Simulation.Reports;

namespace Drover.Cli;

/// <summary>
/// <c>drover simulate --config fleet.yaml</c>: the trace against the user's own fleet, loaded and validated by the real
/// loader, with <c>--set</c> changes, <c>--sweep</c> ranges and per-pool or per-provider boot times.
/// </summary>
internal static class SimulateFleet
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>What the simulate command read from its options for a fleet run.</summary>
    internal sealed record Request(
        FileInfo Config,
        Trace Trace,
        SimulationOptions Options,
        TimeSpan DefaultBoot,
        IReadOnlyList<(string Name, TimeSpan Boot)> Boots,
        double BootSigma,
        IReadOnlyList<string> Settings,
        IReadOnlyList<string> Sweeps,
        string? Forge,
        string? Scope,
        TimeSpan TargetWait,
        FileInfo? Json,
        FileInfo? Html,
        bool Quiet);

    /// <summary>Runs the fleet simulation; exit 2 for a problem with the fleet file, a --set, a --sweep, --forge or a --boot name.</summary>
    public static int Run(Request request, TextWriter output, TextWriter error)
    {
        var path = request.Config.ToString();
        var validation = Adapters.ValidationOptions();
        var loaded = new FleetConfigLoader(validation).LoadFromFile(path);
        foreach (var warning in loaded.Warnings)
        {
            error.WriteLine($"warning: {warning}");
        }

        if (loaded.Config is not { } fleet)
        {
            foreach (var problem in loaded.Errors)
            {
                error.WriteLine(problem.ToString());
            }

            return 2;
        }

        var validator = new FleetConfigValidator(validation);
        foreach (var text in request.Settings)
        {
            try
            {
                fleet = FleetSetting.Parse(text, fleet).ApplyTo(fleet);
            }
            catch (FormatException e)
            {
                error.WriteLine($"--set {text}: {e.Message}");
                return 2;
            }
        }

        if (!Valid(validator, fleet, loaded.SourceMap, $"--set {string.Join(" --set ", request.Settings)}", error))
        {
            return 2;
        }

        var sweeps = new List<FleetSweep>();
        foreach (var text in request.Sweeps)
        {
            try
            {
                var sweep = FleetSweep.Parse(text, fleet);
                foreach (var setting in sweep.Settings)
                {
                    if (!Valid(validator, setting.ApplyTo(fleet), loaded.SourceMap, $"--sweep {text} at {setting.Path}={setting.Value}", error))
                    {
                        return 2;
                    }
                }

                sweeps.Add(sweep);
            }
            catch (FormatException e)
            {
                error.WriteLine($"--sweep {text}: {e.Message}");
                return 2;
            }
        }

        FleetScenario scenario;
        try
        {
            scenario = FleetScenario.Build(fleet, request.Trace, request.Forge, request.Scope);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"--forge: {e.Message.Split(" (Parameter", 2)[0]}");
            return 2;
        }

        if (BootByPool(request, scenario.Scenario.Fleet, error) is not { } boots)
        {
            return 2;
        }

        var options = request.Options with { BootByPool = boots };
        var inv = CultureInfo.InvariantCulture;
        var bootText = DurationParser.Format(request.DefaultBoot) + string.Concat(request.Boots.Select(b => $", {b.Name} {DurationParser.Format(b.Boot)}"));
        var title = string.Create(inv, $"{path} with {request.Trace.Name}: {scenario.Scenario.Jobs.Count:N0} jobs over {request.Trace.Span.TotalDays:0.#} days from forge {scenario.Scenario.Forge}, boot {bootText}, seed {options.Seed}");
        var runs = 1 + sweeps.Sum(s => s.Values.Count) + sweeps.Count;
        using var bar = request.Quiet || !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected ? null : new ProgressBar(error, runs);
        var report = FleetSimulation.Run(title, request.Trace.Notes, scenario, sweeps, options, request.TargetWait, request.Settings, bar is null ? null : bar.Report);
        bar?.Dispose();
        output.Write(FleetConsoleReport.Render(report));
        return Write(request.Json, () => JsonSerializer.Serialize(report, JsonOptions), output, error)
            + Write(request.Html, () => FleetHtmlReport.Render(report), output, error) > 0 ? 1 : 0;
    }

    private static bool Valid(FleetConfigValidator validator, FleetConfig fleet, ConfigSourceMap map, string what, TextWriter error)
    {
        var problems = validator.Validate(fleet, map);
        foreach (var problem in problems)
        {
            error.WriteLine($"{what}: {problem.Path}: {problem.Message}");
        }

        return problems.Count == 0;
    }

    /// <summary>The boot time of each pool named by <c>--boot NAME=…</c>: a pool's own name, or its provider's; null after an error.</summary>
    private static Dictionary<string, BootTimeDistribution>? BootByPool(Request request, FleetConfig fleet, TextWriter error)
    {
        var boots = new Dictionary<string, BootTimeDistribution>(StringComparer.Ordinal);
        foreach (var (name, boot) in request.Boots.OrderBy(b => fleet.Pools.Any(p => p.Name == b.Name) ? 1 : 0))
        {
            var pools = fleet.Pools.Where(p => p.Name == name).ToList();
            if (pools.Count == 0)
            {
                pools = [.. fleet.Pools.Where(p => p.Provider == name)];
            }

            if (pools.Count == 0)
            {
                error.WriteLine($"--boot {name}=…: no simulated pool or provider is named '{name}'; pools: {string.Join(", ", fleet.Pools.Select(p => p.Name))}; providers: {string.Join(", ", fleet.Pools.Select(p => p.Provider).Distinct())}");
                return null;
            }

            foreach (var pool in pools)
            {
                boots[pool.Name] = request.BootSigma > 0 ? BootTimeDistribution.LogNormal(boot.TotalSeconds, request.BootSigma) : BootTimeDistribution.Fixed(boot.TotalSeconds);
            }
        }

        return boots;
    }

    private static int Write(FileInfo? file, Func<string> render, TextWriter output, TextWriter error)
    {
        if (file is null)
        {
            return 0;
        }

        try
        {
            File.WriteAllText(file.FullName, render());
            output.WriteLine($"wrote {file}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{file}: {e.Message}");
            return 1;
        }
    }
}
