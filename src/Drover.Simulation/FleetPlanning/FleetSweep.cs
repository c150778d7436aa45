using System.Globalization;
using Drover.Core.Config;

namespace Drover.Simulation.FleetPlanning;

/// <summary>
/// A range of values for one numeric field of one pool (<c>--sweep pools.linux.idle=0..8</c>,
/// <c>--sweep pools.linux.idleTimeout=1m..10m/1m</c>): the fleet is simulated once per value.
/// </summary>
public sealed record FleetSweep(string Pool, string Field, IReadOnlyList<string> Values)
{
    /// <summary>The most values one sweep may run.</summary>
    public const int MaxValues = 41;

    /// <summary>The path as written: <c>pools.NAME.FIELD</c>.</summary>
    public string Path => $"pools.{Pool}.{Field}";

    /// <summary>The settings the sweep runs, one per value, in order.</summary>
    public IReadOnlyList<FleetSetting> Settings => [.. Values.Select(v => new FleetSetting(Pool, Field, v))];

    /// <summary>
    /// Reads <c>pools.NAME.FIELD=FROM..TO</c> with an optional <c>/STEP</c> (1 for whole numbers, 1m for durations when
    /// left out); the field must hold a whole number or a duration.
    /// </summary>
    /// <exception cref="FormatException">What is wrong, in one line.</exception>
    public static FleetSweep Parse(string text, FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            throw new FormatException("expected pools.POOL.FIELD=FROM..TO[/STEP], e.g. pools.linux.idle=0..8 or pools.linux.idleTimeout=1m..10m/1m");
        }

        var (pool, field) = FleetSetting.ParsePath(parts[0], fleet);
        var range = parts[1].Split("..", 2, StringSplitOptions.TrimEntries);
        var step = range.Length == 2 ? range[1].Split('/', 2, StringSplitOptions.TrimEntries) : [];
        if (range.Length != 2 || step[0].Length == 0 || range[0].Length == 0 || (step.Length == 2 && step[1].Length == 0))
        {
            throw new FormatException($"'{parts[1]}' is not a range such as 0..8 or 1m..10m/1m");
        }

        var path = $"pools.{pool}.{field}";
        List<string> values;
        if (FleetSetting.WholeNumberFields.Contains(field))
        {
            var (from, to, by) = (Whole(range[0], path), Whole(step[0], path), step.Length == 2 ? Whole(step[1], path) : 1);
            values = Steps(from, to, by, path).Select(v => ((long)v).ToString(CultureInfo.InvariantCulture)).ToList();
        }
        else if (FleetSetting.DurationFields.Contains(field))
        {
            var (from, to, by) = (Duration(range[0], path), Duration(step[0], path), step.Length == 2 ? Duration(step[1], path) : TimeSpan.FromMinutes(1));
            values = Steps(from.TotalSeconds, to.TotalSeconds, by.TotalSeconds, path).Select(v => DurationParser.Format(TimeSpan.FromSeconds(v))).ToList();
        }
        else
        {
            throw new FormatException($"{path}: only whole-number ({string.Join(", ", FleetSetting.WholeNumberFields)}) and duration ({string.Join(", ", FleetSetting.DurationFields)}) fields can be swept; set others with --set");
        }

        return new FleetSweep(pool, field, values);
    }

    private static List<double> Steps(double from, double to, double by, string path)
    {
        if (by <= 0 || to < from)
        {
            throw new FormatException($"{path}: a sweep goes up from its first value to its last by a positive step");
        }

        var count = (long)Math.Floor(((to - from) / by) + 1e-9) + 1;
        if (count > MaxValues)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{path}: the range has {count} values; a sweep runs at most {MaxValues} (use a larger step)"));
        }

        return [.. Enumerable.Range(0, (int)count).Select(i => from + (i * by))];
    }

    private static int Whole(string text, string path) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new FormatException($"{path}: '{text}' is not a whole number");

    private static TimeSpan Duration(string text, string path) => DurationParser.TryParse(text, out var value)
        ? value
        : throw new FormatException($"{path}: '{text}' is not a duration such as 90s, 5m or 1h30m");
}
