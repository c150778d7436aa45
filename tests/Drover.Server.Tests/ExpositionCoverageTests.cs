using System.Text.RegularExpressions;
using Drover.Testing;

namespace Drover.Server.Tests;

/// <summary>
/// The alert rules and Grafana dashboards of the Helm chart name only series a running Drover's <c>/metrics</c> really
/// has: every metric name in their PromQL is a family (a <c># TYPE</c> line) of the scraped exposition.
/// </summary>
public sealed partial class ExpositionCoverageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly string _files = Path.Combine(RepositoryRoot(), "deploy", "helm", "drover", "files");

    [Fact]
    public async Task AlertRules_NameOnlySeriesTheExpositionHas()
    {
        var names = MetricNames(File.ReadAllText(Path.Combine(_files, "alerts.yaml")));

        Assert.Contains("drover_job_queue_wait_seconds", names);
        await AssertExposedAsync(names);
    }

    [Theory]
    [InlineData("drover-fleet.json", "process_cpu_seconds_total")]
    [InlineData("drover-pool.json", "drover_job_duration_seconds")]
    public async Task GrafanaDashboards_NameOnlySeriesTheExpositionHas(string file, string oneOfThem)
    {
        var names = MetricNames(File.ReadAllText(Path.Combine(_files, "dashboards", file)));

        Assert.Contains(oneOfThem, names);
        await AssertExposedAsync(names);
    }

    [Fact]
    public void MetricNames_HistogramSeriesByFamily_OtherWordsIgnored()
    {
        Assert.Equal(
            ["drover_job_queue_wait_seconds", "drover_runners", "process_cpu_seconds_total"],
            MetricNames("histogram_quantile(0.95, sum by (le) (rate(drover_job_queue_wait_seconds_bucket{pool=\"x\"}[5m]))) / sum(drover_runners) + rate(process_cpu_seconds_total[1m]) {{pool}}").Order(StringComparer.Ordinal));
    }

    private async Task AssertExposedAsync(IReadOnlyCollection<string> names)
    {
        using var client = server.Client();
        var families = Family().Matches(await client.GetStringAsync("/metrics")).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(families);
        Assert.Equal([], names.Where(n => !families.Contains(n)).Order(StringComparer.Ordinal));
    }

    /// <summary>Metric names in PromQL text, histogram series (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>) by their family.</summary>
    internal static HashSet<string> MetricNames(string text) =>
        [.. Metric().Matches(text).Select(m => m.Groups[1].Value).Select(n => HistogramSeries().Replace(n, string.Empty))];

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
    }

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex Family();

    [GeneratedRegex(@"\b((?:drover|process|dotnet)_[a-z0-9_]+)")]
    private static partial Regex Metric();

    [GeneratedRegex(@"_(bucket|sum|count)$")]
    private static partial Regex HistogramSeries();
}
