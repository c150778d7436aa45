namespace Drover.Deploy.Tests;

/// <summary>
/// The alert rules, deploy/helm/drover/files/alerts.yaml: a valid Prometheus rule file, embedded unchanged as the
/// chart's PrometheusRule spec.
/// </summary>
public sealed class AlertRuleTests
{
    private static readonly string _rules = Path.Combine(Chart.Directory, "files", "alerts.yaml");

    [ToolFact("promtool")]
    public void RuleFile_PassesPromtoolCheck()
    {
        var output = Tools.Run("promtool", "check", "rules", _rules);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

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
