using System.Text;
using System.Text.RegularExpressions;

namespace Drover.Testing.Fuzz;

/// <summary>One input a fuzz target mishandled: where it came from (seed, index), what happened, and the input itself.</summary>
public sealed partial record FuzzFailure(string Target, int Seed, int Index, string What, byte[] Input)
{
    /// <summary>One line for a failure message: the target, seed and index (to replay it), what happened and the input's start.</summary>
    public override string ToString()
    {
        var shown = Encoding.UTF8.GetString(Input.AsSpan(0, Math.Min(Input.Length, 160)));
        return $"{Target} seed {Seed} #{Index}: {What} — input ({Input.Length} bytes): {shown.ReplaceLineEndings(" ")}";
    }

    /// <summary>
    /// The distinct kinds of failure (the target and <see cref="What"/> with its numbers blanked), most frequent first,
    /// with how many inputs hit each and the first such input; at most 20 kinds.
    /// </summary>
    public static string Summarise(IReadOnlyCollection<FuzzFailure> failures, int inputs)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var text = new StringBuilder();
        text.Append(failures.Count).Append(" of ").Append(inputs).AppendLine(" inputs mishandled:");
        var kinds = failures.GroupBy(f => f.Target + ": " + Numbers().Replace(f.What, "N"), StringComparer.Ordinal).OrderByDescending(g => g.Count()).ToList();
        foreach (var group in kinds.Take(20))
        {
            text.Append("  ").Append(group.Count()).Append(" × ").AppendLine(group.First().ToString());
        }

        if (kinds.Count > 20)
        {
            text.Append("  … and ").Append(kinds.Count - 20).AppendLine(" more kinds");
        }

        return text.ToString();
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();
}
