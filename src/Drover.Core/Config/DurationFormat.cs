using System.Globalization;
using System.Text;

namespace Drover.Core.Config;

/// <summary>Writes durations the way the configuration reads them: <c>45s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
public static class DurationFormat
{
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Format(-value);
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + "ms";
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
            text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
