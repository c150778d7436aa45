using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Drover.Deploy.Tests;

/// <summary>
/// The Grafana dashboards, deploy/helm/drover/files/dashboards/*.json: well-formed, every panel's PromQL accepted by
/// promtool (as recording rules, with Grafana's variables filled in), and shipped by the chart as ConfigMaps the
/// Grafana sidecar finds. That they name only series Drover exposes is checked against a running server in
/// tests/Drover.Server.Tests/ExpositionCoverageTests.cs.
/// </summary>
public sealed class GrafanaDashboardTests
{
    private static readonly string _directory = Path.Combine(Chart.Directory, "files", "dashboards");

    public static TheoryData<string> Dashboards() => [.. Files()];

    private static List<string> Files() =>
        [.. Directory.GetFiles(Path.Combine(Tools.RepositoryRoot, _directory), "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Dashboards_FleetOverviewAndPoolDetail()
    {
        Assert.Equal(["drover-fleet.json", "drover-pool.json"], Files());
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_WellFormed_EveryPanelQueriesThroughTheDatasourceVariable(string file)
    {
        var dashboard = Load(file);

        Assert.StartsWith("drover-", dashboard["uid"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(dashboard["templating"]!["list"]!.AsArray(), v => v!["type"]!.GetValue<string>() == "datasource");
        var panels = dashboard["panels"]!.AsArray().Select(p => p!).ToList();
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        foreach (var panel in panels.Where(p => p["type"]!.GetValue<string>() != "row"))
        {
            var title = panel["title"]!.GetValue<string>();
            var grid = panel["gridPos"]!;
            Assert.True(grid["x"]!.GetValue<int>() + grid["w"]!.GetValue<int>() <= 24, $"{file}: panel '{title}' is wider than the grid");
            Assert.Equal("${datasource}", panel["datasource"]!["uid"]!.GetValue<string>());
            var targets = panel["targets"]!.AsArray();
            Assert.True(targets.Count > 0, $"{file}: panel '{title}' has no query");
            Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t!["expr"]!.GetValue<string>()), $"{file}: panel '{title}' has an empty query"));
        }
    }

    [ToolTheory("promtool")]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_EveryQuery_PassesPromtool(string file)
    {
        var queries = Queries(Load(file)).ToList();
        var uid = Load(file)["uid"]!.GetValue<string>().Replace('-', '_');
        var rules = new JsonObject
        {
            ["groups"] = new JsonArray(new JsonObject
            {
                ["name"] = uid,
                ["rules"] = new JsonArray([.. queries.Select(q => (JsonNode)new JsonObject { ["record"] = $"dashboard:{uid}:panel{q.Panel}_{q.RefId}", ["expr"] = q.Expr })]),
            }),
        };
        var path = Path.Combine(Path.GetTempPath(), $"drover-dashboard-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, rules.ToJsonString());
        try
        {
            var output = Tools.Run("promtool", "check", "rules", path);
            Assert.Contains($"SUCCESS: {queries.Count} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [ToolFact("helm")]
    public void Chart_GrafanaDashboardsOption_OneConfigMapPerDashboardWithTheSidecarLabel()
    {
        Assert.DoesNotContain(Chart.Render().All<V1ConfigMap>(), c => c.Metadata.Name.Contains("dashboard", StringComparison.Ordinal));

        var maps = Chart.Render("--set", "metrics.grafanaDashboards.enabled=true").All<V1ConfigMap>().Where(c => c.Metadata.Name.Contains("dashboard", StringComparison.Ordinal)).ToList();

        Assert.Equal(["drover-dashboard-drover-fleet", "drover-dashboard-drover-pool"], maps.Select(m => m.Metadata.Name).Order(StringComparer.Ordinal));
        foreach (var map in maps)
        {
            Assert.Equal("1", map.Metadata.Labels["grafana_dashboard"]);
            var (file, json) = Assert.Single(map.Data);
            Assert.Equal(Load(file).ToJsonString(), JsonNode.Parse(json)!.ToJsonString());
        }
    }

    /// <summary>Every query of the dashboard with Grafana's variables filled in as promtool needs them.</summary>
    internal static IEnumerable<(int Panel, string RefId, string Expr)> Queries(JsonNode dashboard)
    {
        foreach (var panel in dashboard["panels"]!.AsArray())
        {
            foreach (var target in panel!["targets"]?.AsArray() ?? [])
            {
                var expr = target!["expr"]!.GetValue<string>()
                    .Replace("$__rate_interval", "5m", StringComparison.Ordinal)
                    .Replace("$pool", "linux", StringComparison.Ordinal);
                Assert.DoesNotContain("$", expr, StringComparison.Ordinal);
                yield return (panel["id"]!.GetValue<int>(), target["refId"]!.GetValue<string>(), expr);
            }
        }
    }

    private static JsonNode Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Tools.RepositoryRoot, _directory, file)), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow })!;
}
