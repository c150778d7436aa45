using System.Text.RegularExpressions;

namespace Drover.Deploy.Tests;

/// <summary>
/// The alert rules, deploy/helm/drover/files/alerts.yaml: a valid Prometheus rule file, embedded unchanged as the
/// chart's PrometheusRule spec, each alert unit-tested by files/alerts.test.yaml with <c>promtool test rules</c>.
/// </summary>
public sealed partial class AlertRuleTests
{
    private static readonly string _rules = Path.Combine(Chart.Directory, "files", "alerts.yaml");
    private static readonly string _tests = Path.Combine(Chart.Directory, "files", "alerts.test.yaml");

    [ToolFact("promtool")]
    public void RuleFile_PassesPromtoolCheck()
    {
        var output = Tools.Run("promtool", "check", "rules", _rules);
        Assert.Contains($"SUCCESS: {Alerts().Count} rules found", output, StringComparison.Ordinal);
    }

    [ToolFact("promtool")]
    public void UnitTests_PassPromtoolTestRules()
    {
        var output = Tools.Run("promtool", "test", "rules", _tests);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryAlert_HasAUnitTestThatFiresIt()
    {
        var alerts = Alerts();
        Assert.True(alerts.Count >= 10, $"only {alerts.Count} alerts");
        var tests = File.ReadAllText(Path.Combine(Tools.RepositoryRoot, _tests));
        // A case that expects the alert to fire: its alertname followed by a non-empty exp_alerts list.
        var fired = FiringCase().Matches(tests).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal([], alerts.Where(a => !fired.Contains(a)));
    }

    private static List<string> Alerts() =>
        [.. AlertName().Matches(File.ReadAllText(Path.Combine(Tools.RepositoryRoot, _rules))).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^\s*- alert: (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (\w+)\s*\n\s*exp_alerts:\s*\n\s*- exp_labels:")]
    private static partial Regex FiringCase();

    [ToolFact("helm")]
    public void PrometheusRule_SpecIsTheRuleFile()
    {
        var rule = Chart.Render(Chart.Ha).Single(d => d.Kind == "PrometheusRule");
        var spec = rule.Yaml[(rule.Yaml.IndexOf("\nspec:\n", StringComparison.Ordinal) + "\nspec:\n".Length)..];
        var unindented = string.Join('\n', spec.Split('\n').Select(l => l.StartsWith("  ", StringComparison.Ordinal) ? l[2..] : l)).Trim();
        var file = File.ReadAllText(Path.Combine(Tools.RepositoryRoot, _rules)).Trim();
        Assert.Equal(file, unindented);
    }
}
