using System.Text.RegularExpressions;

namespace Drover.Core.Config;

/// <summary>Names end up in runner names, instance names and labels, so they are DNS-label shaped and unique per kind.</summary>
internal static partial class NameRules
{
    public static void CheckName(ValidationContext context, string path, string name)
    {
        if (name.Length > 0 && !DnsLabel().IsMatch(name))
        {
            context.Report(path, $"'{name}' is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters");
        }
    }

    /// <summary>Reports each repeated name at its later occurrence(s), pointing back at the first.</summary>
    public static void CheckUnique(ValidationContext context, string section, string noun, IReadOnlyList<string> names)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].Length == 0)
            {
                continue;
            }

            if (!first.TryAdd(names[i], i))
            {
                context.Report($"{section}[{i}].name", $"duplicate {noun} name '{names[i]}' (already used by {section}[{first[names[i]]}])");
            }
            else
            {
                CheckName(context, $"{section}[{i}].name", names[i]);
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
