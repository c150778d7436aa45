namespace Drover.Testing.Kubernetes;

/// <summary>An equality-based label selector (<c>a=b,c=d</c>), the kind the provider sends.</summary>
internal sealed class Selector
{
    private readonly List<KeyValuePair<string, string>> _terms;

    private Selector(List<KeyValuePair<string, string>> terms) => _terms = terms;

    public static Selector Parse(string? text) => new(
        [.. (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(p[0], p.Length > 1 ? p[1] : string.Empty))]);

    public bool Matches(IDictionary<string, string>? labels) =>
        _terms.All(t => labels is not null && labels.TryGetValue(t.Key, out var value) && value == t.Value);
}
