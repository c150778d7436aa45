using System.Text;

namespace Drover.Storage.Sql;

/// <summary>Enums are stored as kebab-case names (<c>half-open</c>), as in the state file.</summary>
internal static class EnumText
{
    public static string ToText<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    public static T Parse<T>(string text)
        where T : struct, Enum =>
        Enum.TryParse<T>(text.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"'{text}' is not a {typeof(T).Name}");
}
