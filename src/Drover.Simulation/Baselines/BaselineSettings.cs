using System.Globalization;
using Drover.Core.Policies;

namespace Drover.Simulation.Baselines;

/// <summary>Reads a baseline's <c>policySettings</c>: whole seconds and counts, with every problem reported.</summary>
internal static class BaselineSettings
{
    /// <summary>Checks that every key is known and every value parses; one error per problem.</summary>
    public static List<PolicySettingError> Validate(string policy, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, int> minimums)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<PolicySettingError>();
        foreach (var (key, value) in settings)
        {
            if (!minimums.TryGetValue(key, out var min))
            {
                errors.Add(new PolicySettingError(key, $"unknown setting for policy '{policy}'; expected {string.Join(", ", minimums.Keys.Order(StringComparer.Ordinal))}"));
            }
            else if (!TryParse(value, min, out _))
            {
                errors.Add(new PolicySettingError(key, $"must be a whole number of at least {min}, got '{value}'"));
            }
        }

        return errors;
    }

    /// <summary>The setting's value, or <paramref name="fallback"/> when it is absent or invalid (validation reports it).</summary>
    public static int Int(IReadOnlyDictionary<string, string> settings, string key, int fallback, int min = 0) =>
        settings.TryGetValue(key, out var value) && TryParse(value, min, out var parsed) ? parsed : fallback;

    /// <summary>A duration given in whole seconds.</summary>
    public static TimeSpan Seconds(IReadOnlyDictionary<string, string> settings, string key, TimeSpan fallback, int min = 0) =>
        TimeSpan.FromSeconds(Int(settings, key, (int)fallback.TotalSeconds, min));

    private static bool TryParse(string value, int min, out int parsed) =>
        int.TryParse(value, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out parsed) && parsed >= min;
}
