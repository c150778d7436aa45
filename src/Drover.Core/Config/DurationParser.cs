using System.Text;

namespace Drover.Core.Config;

/// <summary>
/// Durations as written in fleet configuration: one or more <c>&lt;number&gt;&lt;unit&gt;</c> parts with units
/// <c>d</c>, <c>h</c>, <c>m</c>, <c>s</c> in that order, each at most once: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>.
/// </summary>
public static class DurationParser
{
    private const string Units = "dhms";
    private const int MaxDigits = 6;

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var total = TimeSpan.Zero;
        var lastUnit = -1;
        var position = 0;
        while (position < text.Length)
        {
            var digitsStart = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            var digits = position - digitsStart;
            if (digits == 0 || digits > MaxDigits || position == text.Length)
            {
                return false;
            }

            var unit = Units.IndexOf(text[position], StringComparison.Ordinal);
            if (unit <= lastUnit)
            {
                return false;
            }

            var amount = int.Parse(text.AsSpan(digitsStart, digits), provider: System.Globalization.CultureInfo.InvariantCulture);
            total += unit switch
            {
                0 => TimeSpan.FromDays(amount),
                1 => TimeSpan.FromHours(amount),
                2 => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
            lastUnit = unit;
            position++;
        }

        value = total;
        return true;
    }

    /// <summary>The shortest text <see cref="TryParse"/> reads back as <paramref name="value"/> (whole seconds).</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            // Differences of forge timestamps can be negative when clocks disagree; show them, don't fail.
            return "-" + Format(-value);
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, value.Days, 'd');
        Append(text, value.Hours, 'h');
        Append(text, value.Minutes, 'm');
        Append(text, value.Seconds, 's');
        return text.ToString();
    }

    private static void Append(StringBuilder text, int amount, char unit)
    {
        if (amount > 0)
        {
            text.Append(amount.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
