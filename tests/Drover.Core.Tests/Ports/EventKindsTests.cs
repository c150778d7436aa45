using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Drover.Core.Ports;

namespace Drover.Core.Tests.Ports;

/// <summary>
/// The event log's kinds are a public contract: every kind written anywhere is a constant of <see cref="EventKinds"/>,
/// every constant is written somewhere, and docs/operations.md lists exactly the catalog with its documentation.
/// </summary>
public sealed partial class EventKindsTests
{
    private const string TableBegin = "<!-- event-kinds:begin (generated from src/Drover.Core/Ports/EventKinds.cs; EventKindsTests checks it) -->";
    private const string TableEnd = "<!-- event-kinds:end -->";

    private static readonly string _root = FindRepositoryRoot();
    private static readonly string _catalogPath = Path.Combine(_root, "src", "Drover.Core", "Ports", "EventKinds.cs");

    [Fact]
    public void Catalog_Constants_AreUniqueLowerCaseDottedNames()
    {
        var kinds = Reflected().Values.ToList();

        Assert.NotEmpty(kinds);
        Assert.Equal(kinds.Count, kinds.Distinct(StringComparer.Ordinal).Count());
        Assert.All(kinds, k => Assert.Matches(KindShape(), k));
    }

    [Fact]
    public void Catalog_EveryConstant_HasASummarySayingWhenAndSubject()
    {
        var documented = Documented();

        Assert.Equal(Reflected().OrderBy(p => p.Key).ToList(), documented.Select(d => new KeyValuePair<string, string>(d.Name, d.Kind)).OrderBy(p => p.Key).ToList());
        Assert.All(documented, d => Assert.Contains("Subject:", d.Summary, StringComparison.Ordinal));
    }

    [Fact]
    public void Producers_WriteNoKindAsAStringLiteral_AndEveryCatalogKindIsWritten()
    {
        var kinds = Reflected();
        var problems = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (IsBuildOutput(file) || Path.GetFullPath(file) == _catalogPath)
            {
                continue;
            }

            var source = File.ReadAllText(file);
            var name = Path.GetRelativePath(_root, file);
            foreach (Match literal in StringLiteral().Matches(source))
            {
                if (kinds.ContainsValue(literal.Groups["text"].Value))
                {
                    problems.Add($"{name}: the kind \"{literal.Groups["text"].Value}\" is written as a literal; use its EventKinds constant");
                }
            }

            foreach (Match created in NewEventKindArgument().Matches(source))
            {
                var argument = created.Groups["kind"].Value.Trim();
                if (argument.StartsWith('"') || argument.StartsWith("$\"", StringComparison.Ordinal) || argument.Contains('+', StringComparison.Ordinal))
                {
                    problems.Add($"{name}: new NewEvent(...) with the kind {argument}; add the kind to EventKinds and use the constant");
                }
            }

            foreach (Match reference in CatalogReference().Matches(source))
            {
                used.Add(reference.Groups["name"].Value);
            }
        }

        problems.AddRange(kinds.Keys.Where(k => !used.Contains(k)).Select(k => $"EventKinds.{k} is written nowhere in src/; remove it or write it"));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void OperationsDoc_EventKindTable_IsTheCatalog()
    {
        var doc = File.ReadAllText(Path.Combine(_root, "docs", "operations.md")).ReplaceLineEndings("\n");
        var begin = doc.IndexOf(TableBegin, StringComparison.Ordinal);
        var end = doc.IndexOf(TableEnd, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"docs/operations.md has no event kind table between\n{TableBegin}\nand\n{TableEnd}");
        var actual = doc[(begin + TableBegin.Length)..end].Trim('\n');

        var expected = new StringBuilder("| Kind | Constant | Written when; subject, message and data |\n| --- | --- | --- |\n");
        foreach (var (name, kind, summary) in Documented())
        {
            expected.Append(CultureInvariant($"| `{kind}` | `EventKinds.{name}` | {summary} |\n"));
        }

        Assert.True(
            expected.ToString().TrimEnd('\n') == actual,
            $"docs/operations.md's event kind table differs from EventKinds; replace it with:\n{expected}");
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static Dictionary<string, string> Reflected() =>
        typeof(EventKinds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true, FieldType: var t } && t == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);

    /// <summary>The catalog's constants in source order with their summaries as Markdown (one line, <c>c</c> as code).</summary>
    private static List<(string Name, string Kind, string Summary)> Documented()
    {
        var source = File.ReadAllText(_catalogPath);
        return [.. DocumentedConstant().Matches(source).Select(m =>
        {
            var lines = m.Groups["summary"].Value.Split('\n').Select(l => l.Trim().TrimStart('/').Trim()).Where(l => l.Length > 0);
            var summary = CodeTag().Replace(string.Join(' ', lines), c => $"`{c.Groups["code"].Value}`").Replace("|", "\\|", StringComparison.Ordinal);
            return (m.Groups["name"].Value, m.Groups["kind"].Value, summary);
        })];
    }

    private static bool IsBuildOutput(string file) =>
        file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
        file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
    }

    [GeneratedRegex(@"^[a-z]+(\.[a-z][a-z-]*)+$")]
    private static partial Regex KindShape();

    [GeneratedRegex("\"(?<text>[^\"\\\\\\n]*)\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"new\s+NewEvent\s*\(\s*[^,]+,\s*[^,]+,\s*(?<kind>[^,]+),")]
    private static partial Regex NewEventKindArgument();

    [GeneratedRegex(@"\bEventKinds\.(?<name>[A-Z][A-Za-z0-9]*)")]
    private static partial Regex CatalogReference();

    [GeneratedRegex(@"///\s*<summary>(?<summary>(?:(?!<summary>).)*?)///\s*</summary>\s*public const string (?<name>\w+) = ""(?<kind>[^""]+)"";", RegexOptions.Singleline)]
    private static partial Regex DocumentedConstant();

    [GeneratedRegex("<c>(?<code>.*?)</c>")]
    private static partial Regex CodeTag();
}
