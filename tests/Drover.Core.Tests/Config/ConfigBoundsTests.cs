using System.Text;
using Drover.Core.Config;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary>Hostile configuration text: alias bombs, deep nesting, huge files, odd line breaks and characters.</summary>
public sealed class ConfigBoundsTests
{
    /// <summary>Ten levels of nine aliases each: 3.5 billion scalars from 500 bytes.</summary>
    private static string BillionLaughs()
    {
        var lines = new List<string> { "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]" };
        for (var i = 1; i < 10; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]");
        }

        return string.Join('\n', lines) + "\n";
    }

    [Fact]
    public void LoadFromString_BillionLaughs_RefusedAtTheAliasThatExceedsTheNodeBudget()
    {
        // Nodes: the root, then per line a key and a list; a0 stands for 10 nodes, a1 for 91, a2 for 820, a3 for
        // 7,381, a4 for 66,430. After line 5 the document stands for 74,738 nodes; the first *a4 on line 6 (column
        // 10) brings it to 141,170, over the 100,000 budget.
        var result = Load(BillionLaughs());

        AssertSingleError(result, 6, 10, string.Empty, "alias *a4 expands the document to more than 100,000 nodes");
    }

    [Fact]
    public void LoadFromString_AliasesWithinTheBudget_AreExpandedAsBefore()
    {
        var result = Load(Fleet(Pool(name: "a", extra: ["template: &t { image: runner:1 }"]), Pool(name: "b", labels: "labels: [gpu]", extra: ["template: *t"])));

        AssertValid(result);
        Assert.Equal("runner:1", result.Config!.Pools[1].Template.Image);
    }

    [Fact]
    public void LoadFromString_AliasesNestingDeeperThanTheLimit_RefusedAtTheAlias()
    {
        // a: 40 nested lists; b: 30 nested lists around *a, 70 levels in all.
        var text = "a: &a " + new string('[', 40) + new string(']', 40) + "\n"
            + "b: " + new string('[', 30) + "*a" + new string(']', 30) + "\n";

        var result = Load(text);

        AssertSingleError(result, 2, 34, string.Empty, "alias *a nests the document deeper than 64 levels");
    }

    [Fact]
    public void LoadFromString_MoreThanAMebibyte_RefusedAsAWholeFile()
    {
        var text = "controllerId: x\n# " + new string('x', ConfigLimits.MaxFileBytes) + "\n";

        var result = Load(text);

        var error = Assert.Single(result.Errors);
        Assert.Equal((0, 0), (error.Line, error.Column));
        Assert.Contains("a configuration file may hold at most 1,048,576", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromFile_LargerThanTheLimit_RefusedBeforeReadingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-large-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "# " + new string('x', ConfigLimits.MaxFileBytes) + "\n");
        try
        {
            var result = new FleetConfigLoader().LoadFromFile(path);

            var error = Assert.Single(result.Errors);
            Assert.Equal($"{path}: the file is 1,048,579 bytes; a configuration file may be at most 1,048,576 bytes", error.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData('\u2028', "U+2028 (LINE SEPARATOR)")]
    [InlineData('\u2029', "U+2029 (PARAGRAPH SEPARATOR)")]
    [InlineData('\u0085', "U+0085 (NEXT LINE)")]
    public void LoadFromString_LineSeparatorInAFlowValue_RefusedAtTheEditorsLineAndColumn(char separator, string name)
    {
        // Line 14 is "    scope: { org: ac?me }"; the separator is its 21st character. Editors count lines at LF only.
        var result = Load(Fleet(Pool(scope: $"{{ org: ac{separator}me }}")));

        AssertSingleError(result, 14, 21, string.Empty, $"the character {name} is not allowed");
    }

    [Fact]
    public void LoadFromString_SeveralLineSeparators_EachReportedWhereAnEditorShowsIt()
    {
        var result = Load("controllerId: a\u2028b\r\n# c\u2029\rstaleJobAge: 1h\u0085\n");

        Assert.Equal(["1:16", "2:4", "3:16"], result.Errors.Select(e => $"{e.Line}:{e.Column}"));
    }

    [Fact]
    public void LoadFromString_EscapedLineSeparatorInADoubleQuotedString_IsAccepted()
    {
        var result = Load(Fleet(Pool(extra: ["template: { image: \"runner\\L1\" }"])));

        AssertValid(result);
        Assert.Equal("runner\u20281", result.Config!.Pools[0].Template.Image);
    }

    [Theory]
    [InlineData("scope: { org: \"\\ud800\" }")]
    [InlineData("scope: { org: \"\\udc00x\" }")]
    [InlineData("scope: { org: \"\\U0011FFFF\" }")]
    [InlineData("scope: { org: \"\\q\" }")]
    [InlineData("scope: { org: \"\\x4\" }")]
    [InlineData("scope: { org: ac\0me }")]
    [InlineData("scope: { org: ac\ud800me }")]
    [InlineData("scope: { org: \"ac\ud800me\" }")]
    [InlineData("scope:\t{ org: acme }")]
    [InlineData("\tscope: { org: acme }")]
    [InlineData("scope: { org: ac\uFEFFme }")]
    [InlineData("scope: { org: ac\u001Bme }")]
    [InlineData("scope: { org: 'ac\rme' }")]
    [InlineData("scope: !!binary { org: acme }")]
    [InlineData("scope: { org: &a *a }")]
    [InlineData("scope: { org: acme, org: acme }")]
    public void LoadFromString_OddInput_GivesOnlyLocatedErrors(string scopeLine)
    {
        var text = Fleet(Pool(extra: ["min: 0"])).Replace("scope: { org: acme }", scopeLine, StringComparison.Ordinal);

        var result = Load(text);

        Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, e.ToString()));
        Assert.True(result.IsValid || result.Errors.Count > 0);
    }

    [Fact]
    public void LoadFromString_LoneSurrogateEscape_RefusedAtItsLine()
    {
        var text = Fleet(Pool(scope: "{ org: \"\\ud800\" }"));

        var result = Load(text);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(14, error.Line);
        Assert.StartsWith("invalid YAML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_ManyKeysInOneMapping_ReadInLinearTime()
    {
        // 20,000 distinct keys (and one duplicate at the end): the duplicate check looks each key up once.
        var text = new StringBuilder("pools:\n  - name: a\n    settings:\n");
        for (var i = 0; i < 20_000; i++)
        {
            text.Append("      k").Append(i).Append(": v\n");
        }

        text.Append("      k7: v\n");

        var result = Load(text.ToString());

        Assert.Contains(result.Errors, e => e.Line == 20_004 && e.Message.Contains("duplicate key 'k7' (first written at line 11)", StringComparison.Ordinal));
    }
}
