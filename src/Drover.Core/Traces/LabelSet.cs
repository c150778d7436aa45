namespace Drover.Core.Traces;

/// <summary>
/// The labels (GitHub) or tags (GitLab) one job asks for, in canonical form: trimmed, without
/// duplicates, sorted ordinally. Traces share one instance per distinct set (see <see cref="LabelSetInterner"/>),
/// so a million jobs with the same labels cost one object.
/// </summary>
public sealed class LabelSet : IEquatable<LabelSet>
{
    /// <summary>Separator between labels in trace files.</summary>
    public const char Separator = ';';

    private readonly string[] _labels;
    private readonly int _hash;

    /// <summary>The set with no labels (an untagged GitLab job).</summary>
    public static LabelSet Empty { get; } = new([]);

    private LabelSet(string[] canonicalLabels)
    {
        _labels = canonicalLabels;
        var hash = new HashCode();
        foreach (var label in _labels)
        {
            hash.Add(label, StringComparer.Ordinal);
        }

        _hash = hash.ToHashCode();
        Text = string.Join(Separator, _labels);
    }

    /// <summary>The labels, sorted ordinally.</summary>
    public IReadOnlyList<string> Labels => _labels;

    public int Count => _labels.Length;

    /// <summary>The labels joined by <see cref="Separator"/>, as written in trace files.</summary>
    public string Text { get; }

    /// <summary>Builds the canonical set for these labels. Prefer <see cref="LabelSetInterner"/> when building many jobs.</summary>
    /// <exception cref="ArgumentException">A label contains the separator, a comma, a quote or a line break.</exception>
    public static LabelSet Create(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var canonical = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in labels)
        {
            var label = raw.Trim();
            if (label.Length == 0)
            {
                continue;
            }

            if (label.AsSpan().IndexOfAny(";,\"\r\n") >= 0)
            {
                throw new ArgumentException($"label '{label}' may not contain ';', ',', '\"' or a line break", nameof(labels));
            }

            canonical.Add(label);
        }

        return canonical.Count == 0 ? Empty : new LabelSet([.. canonical]);
    }

    /// <summary>Parses labels separated by <see cref="Separator"/>; empty text is the empty set.</summary>
    public static LabelSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Create(text.Split(Separator));
    }

    public bool Contains(string label) => Array.BinarySearch(_labels, label, StringComparer.Ordinal) >= 0;

    public bool Equals(LabelSet? other) =>
        ReferenceEquals(this, other)
        || (other is not null && _hash == other._hash && _labels.AsSpan().SequenceEqual(other._labels));

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode() => _hash;

    public override string ToString() => Text;
}
