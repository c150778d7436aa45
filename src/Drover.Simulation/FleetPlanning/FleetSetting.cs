using System.Globalization;
using Drover.Core.Config;

namespace Drover.Simulation.FleetPlanning;

/// <summary>
/// One change to a pool of the fleet for a simulation (<c>--set pools.gpu.idle=2</c>): a whole-number field (<c>min</c>,
/// <c>max</c>, <c>idle</c>, <c>priority</c>), a duration (<c>idleTimeout</c>, <c>maxLifetime</c>), the <c>policy</c>, or
/// one of its <c>policySettings.KEY</c>. The fleet with the change must validate again, as the file would.
/// </summary>
public sealed record FleetSetting(string Pool, string Field, string Value)
{
    /// <summary>Fields that hold a whole number.</summary>
    public static readonly IReadOnlyList<string> WholeNumberFields = ["min", "max", "idle", "priority"];

    /// <summary>Fields that hold a duration.</summary>
    public static readonly IReadOnlyList<string> DurationFields = ["idleTimeout", "maxLifetime"];

    private const string SettingsPrefix = "policySettings.";

    /// <summary>Every field a setting may name.</summary>
    public static string KnownFields => string.Join(", ", WholeNumberFields.Concat(DurationFields).Append("policy").Append(SettingsPrefix + "KEY"));

    /// <summary>The path as written: <c>pools.NAME.FIELD</c>.</summary>
    public string Path => $"pools.{Pool}.{Field}";

    /// <summary>True when the field holds a whole number or a duration (and can be swept).</summary>
    public bool IsNumeric => WholeNumberFields.Contains(Field) || DurationFields.Contains(Field);

    /// <summary>Reads <c>pools.NAME.FIELD=VALUE</c>, checking the pool, the field and the value's form.</summary>
    /// <exception cref="FormatException">What is wrong, in one line.</exception>
    public static FleetSetting Parse(string assignment, FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var parts = assignment.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[1].Length == 0)
        {
            throw new FormatException("expected pools.POOL.FIELD=VALUE, e.g. pools.gpu.idle=2");
        }

        var (pool, field) = ParsePath(parts[0], fleet);
        var setting = new FleetSetting(pool, field, parts[1]);
        setting.ApplyTo(fleet);
        return setting;
    }

    /// <summary>Reads <c>pools.NAME.FIELD</c>: the pool must exist and the field be one a setting may name.</summary>
    /// <exception cref="FormatException">What is wrong, in one line.</exception>
    internal static (string Pool, string Field) ParsePath(string path, FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var segments = path.Split('.', 3);
        if (segments.Length != 3 || segments[0] != "pools" || segments[1].Length == 0 || segments[2].Length == 0)
        {
            throw new FormatException($"'{path}' is not a path such as pools.gpu.idle (pools.POOL.FIELD)");
        }

        if (fleet.Pools.All(p => p.Name != segments[1]))
        {
            throw new FormatException($"no pool is named '{segments[1]}'; pools: {string.Join(", ", fleet.Pools.Select(p => p.Name))}");
        }

        var field = segments[2];
        if (!WholeNumberFields.Contains(field) && !DurationFields.Contains(field) && field != "policy"
            && !(field.StartsWith(SettingsPrefix, StringComparison.Ordinal) && field.Length > SettingsPrefix.Length))
        {
            throw new FormatException($"'{field}' is not a field a simulation can set on a pool; known: {KnownFields}");
        }

        return (segments[1], field);
    }

    /// <summary>The fleet with this change made.</summary>
    /// <exception cref="FormatException">The value does not have the field's form.</exception>
    public FleetConfig ApplyTo(FleetConfig fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return fleet with { Pools = [.. fleet.Pools.Select(p => p.Name == Pool ? Apply(p) : p)] };
    }

    /// <summary>The value <paramref name="field"/> has on <paramref name="pool"/>, written as a setting would give it.</summary>
    public static string CurrentValue(PoolConfig pool, string field)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(field);
        return field switch
        {
            "min" => pool.Min.ToString(CultureInfo.InvariantCulture),
            "max" => pool.Max.ToString(CultureInfo.InvariantCulture),
            "idle" => pool.Idle.ToString(CultureInfo.InvariantCulture),
            "priority" => pool.Priority.ToString(CultureInfo.InvariantCulture),
            "idleTimeout" => DurationParser.Format(pool.IdleTimeout),
            "maxLifetime" => pool.MaxLifetime is { } lifetime ? DurationParser.Format(lifetime) : "none",
            "policy" => pool.Policy,
            _ => pool.PolicySettings.GetValueOrDefault(field[SettingsPrefix.Length..]) ?? "(default)",
        };
    }

    private PoolConfig Apply(PoolConfig pool) => Field switch
    {
        "min" => pool with { Min = WholeNumber() },
        "max" => pool with { Max = WholeNumber() },
        "idle" => pool with { Idle = WholeNumber() },
        "priority" => pool with { Priority = WholeNumber() },
        "idleTimeout" => pool with { IdleTimeout = Duration() },
        "maxLifetime" => pool with { MaxLifetime = Duration() },
        "policy" => pool with { Policy = Value },
        _ => pool with { PolicySettings = new Dictionary<string, string>(pool.PolicySettings, StringComparer.Ordinal) { [Field[SettingsPrefix.Length..]] = Value } },
    };

    private int WholeNumber() => int.TryParse(Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
        ? number
        : throw new FormatException($"{Path}: '{Value}' is not a whole number");

    private TimeSpan Duration() => DurationParser.TryParse(Value, out var duration)
        ? duration
        : throw new FormatException($"{Path}: '{Value}' is not a duration such as 90s, 5m or 1h30m");
}
