namespace Drover.Core.Traces;

/// <summary>
/// Hands out one shared <see cref="LabelSet"/> per distinct set, and one shared string per distinct scope,
/// so that readers can build millions of jobs without a label array or scope string per job.
/// Not thread-safe: one interner per load.
/// </summary>
public sealed class LabelSetInterner
{
    private readonly Dictionary<string, LabelSet> _byText = new(StringComparer.Ordinal);
    private readonly Dictionary<LabelSet, LabelSet> _sets = [];
    private readonly Dictionary<string, string> _scopes = new(StringComparer.Ordinal);

    /// <summary>Distinct sets handed out so far, in order of first use.</summary>
    public IReadOnlyCollection<LabelSet> Sets => _sets.Keys;

    /// <summary>The shared set for labels separated by <see cref="LabelSet.Separator"/>, in any order.</summary>
    public LabelSet Intern(ReadOnlySpan<char> text)
    {
        var lookup = _byText.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(text, out var known))
        {
            return known;
        }

        var key = text.ToString();
        var set = Intern(LabelSet.Parse(key));
        _byText[key] = set;
        return set;
    }

    /// <summary>The shared set for these labels, in any order.</summary>
    public LabelSet Intern(IEnumerable<string> labels) => Intern(LabelSet.Create(labels));

    /// <summary>The shared instance equal to <paramref name="set"/>.</summary>
    public LabelSet Intern(LabelSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (_sets.TryGetValue(set, out var shared))
        {
            return shared;
        }

        _sets.Add(set, set);
        return set;
    }

    /// <summary>The shared string for a scope; empty text is no scope.</summary>
    public string? InternScope(ReadOnlySpan<char> scope)
    {
        scope = scope.Trim();
        if (scope.IsEmpty)
        {
            return null;
        }

        var lookup = _scopes.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(scope, out var known))
        {
            return known;
        }

        var text = scope.ToString();
        _scopes.Add(text, text);
        return text;
    }
}
