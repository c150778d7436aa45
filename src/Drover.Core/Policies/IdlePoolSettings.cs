using System.Globalization;

namespace Drover.Core.Policies;

/// <summary>The <c>idle-pool</c> policy's settings, parsed from a pool's <c>policySettings</c>.</summary>
/// <param name="CapacityPerInstance">Job slots one instance offers (taskscaler's <c>capacity_per_instance</c>).</param>
/// <param name="ScaleFactor">Extra idle slots per slot in use (taskscaler's <c>scale_factor</c>).</param>
/// <param name="ScaleFactorLimit">Most idle slots the scale factor may ask for; 0 means none.</param>
internal sealed record IdlePoolSettings(int CapacityPerInstance, double ScaleFactor, int ScaleFactorLimit)
{
    public const string CapacityPerInstanceKey = "capacityPerInstance";
    public const string ScaleFactorKey = "scaleFactor";
    public const string ScaleFactorLimitKey = "scaleFactorLimit";

    public static IdlePoolSettings Default { get; } = new(1, 0, 0);

    /// <summary>
    /// Reads <paramref name="settings"/>; every problem goes to <paramref name="errors"/> and the key keeps its default,
    /// so the result is always usable.
    /// </summary>
    public static IdlePoolSettings Parse(IReadOnlyDictionary<string, string> settings, List<PolicySettingError> errors)
    {
        var result = Default;
        foreach (var (key, value) in settings)
        {
            switch (key)
            {
                case CapacityPerInstanceKey:
                    if (TryParseInt(value, 1, out var capacity))
                    {
                        result = result with { CapacityPerInstance = capacity };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a whole number of at least 1, got '{value}'"));
                    }

                    break;

                case ScaleFactorKey:
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor)
                        && double.IsFinite(factor) && factor >= 0)
                    {
                        result = result with { ScaleFactor = factor };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a number of at least 0, got '{value}'"));
                    }

                    break;

                case ScaleFactorLimitKey:
                    if (TryParseInt(value, 0, out var limit))
                    {
                        result = result with { ScaleFactorLimit = limit };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a whole number of at least 0, got '{value}'"));
                    }

                    break;

                default:
                    errors.Add(new PolicySettingError(
                        key,
                        $"unknown setting for idle-pool; expected {CapacityPerInstanceKey}, {ScaleFactorKey} or {ScaleFactorLimitKey}"));
                    break;
            }
        }

        return result;
    }

    private static bool TryParseInt(string value, int min, out int parsed) =>
        int.TryParse(value, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out parsed)
        && parsed >= min;
}
