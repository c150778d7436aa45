using System.Globalization;
using Drover.Core.Policies;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;
using Drover.Simulation.Reports;

namespace Drover.Simulation.Comparison;

/// <summary>
/// Runs several policies on one scenario — the baselines, Drover's own policies and <c>predictive</c> — plus the
/// oracle bound, and gathers the figures into a <see cref="SimulationReport"/>.
/// </summary>
public static class PolicyComparison
{
    /// <summary>The predictive policy's default wait target in comparisons.</summary>
    public static readonly TimeSpan DefaultTargetWait = TimeSpan.FromSeconds(15);

    /// <summary>Every variant <c>--policies all</c> runs: the baseline catalog followed by <c>predictive</c>.</summary>
    public static IReadOnlyList<BaselineEntry> AllEntries(SimulationScenario scenario, SimulationOptions options, TimeSpan? targetWait = null, IReadOnlyDictionary<string, string>? predictiveSettings = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        return [.. BaselineCatalog.For(scenario.Jobs, scenario.LabelSets), Predictive(options.Boot.MedianSeconds, targetWait ?? DefaultTargetWait, predictiveSettings)];
    }

    /// <summary>
    /// The variants named in <paramref name="names"/> (<c>all</c>, or labels such as <c>predictive</c>, <c>garm-minidle-5</c>);
    /// unknown names are reported with the known ones.
    /// </summary>
    public static IReadOnlyList<BaselineEntry> Select(IReadOnlyList<string> names, SimulationScenario scenario, SimulationOptions options, TimeSpan? targetWait = null, IReadOnlyDictionary<string, string>? predictiveSettings = null)
    {
        var all = AllEntries(scenario, options, targetWait, predictiveSettings);
        if (names.Count == 0 || names.Any(n => string.Equals(n, "all", StringComparison.OrdinalIgnoreCase)))
        {
            return all;
        }

        var chosen = new List<BaselineEntry>();
        foreach (var name in names)
        {
            var entry = all.FirstOrDefault(e => string.Equals(e.Label, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"unknown policy '{name}'; known: all, {string.Join(", ", all.Select(e => e.Label))}", nameof(names));
            chosen.Add(entry);
        }

        return chosen;
    }

    /// <summary>
    /// The predictive policy as simulated: no fixed warm floor; a surplus idle runner is kept for one boot time (the
    /// break-even between paying idle and paying another boot). <paramref name="settings"/> override its policy settings.
    /// </summary>
    public static BaselineEntry Predictive(double bootSeconds, TimeSpan targetWait, IReadOnlyDictionary<string, string>? settings = null)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootTime"] = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, Math.Round(bootSeconds))}s"),
            ["targetWaitP95"] = string.Create(CultureInfo.InvariantCulture, $"{targetWait.TotalSeconds:0}s"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        return new(
            PredictivePolicy.PolicyName,
            () => new PredictivePolicy(),
            p => p with { Idle = 0, IdleTimeout = TimeSpan.FromSeconds(Math.Max(60, bootSeconds)), PolicySettings = merged });
    }

    /// <summary>
    /// Runs every entry (in parallel, one per core; each run is deterministic for the options' seed) and the oracle.
    /// <paramref name="progress"/> gets each entry's label and fraction done.
    /// </summary>
    public static SimulationReport Run(string title, IReadOnlyList<string> notes, SimulationScenario scenario, IReadOnlyList<BaselineEntry> entries, SimulationOptions options, Action<string, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        var results = new SimulationResult[entries.Count];
        Parallel.For(
            0,
            entries.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) },
            i =>
            {
                var entry = entries[i];
                IProgress<double>? sink = progress is null ? null : new Reporter(entry.Label, progress);
                results[i] = entry.Run(scenario, options, sink);
            });

        var oracle = Oracle.Compute(scenario, options.Boot.MedianSeconds);
        return new SimulationReport { Title = title, Notes = notes, Oracle = oracle, Results = results };
    }

    /// <summary>Forwards a run's progress synchronously (no captured context) with its label.</summary>
    private sealed class Reporter(string label, Action<string, double> progress) : IProgress<double>
    {
        public void Report(double value) => progress(label, value);
    }
}
