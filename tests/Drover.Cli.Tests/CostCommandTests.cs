using Drover.Core.Cost;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Storage;

namespace Drover.Cli.Tests;

/// <summary><c>drover cost report</c>: the ledger of a store summed by a dimension, as CSV or HTML; bad input refused.</summary>
public sealed class CostCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-cli-cost-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing.
        }
    }

    [Fact]
    public async Task Report_ByTeamCsv_SumsAmountsAndIdleWastePerTeamInTheRange()
    {
        var store = await StoreWithLinesAsync();

        var (exit, output, error) = CliRunner.Run(CostCommand.Create(), "cost", "report", "--store", store, "--from", "2026-12-01", "--to", "2026-12-02", "--by", "team");

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Equal(
            "team,currency,amount,idle_waste,idle_waste_share,runner_hours\nweb,USD,3.00,1.00,0.3333,1.5\nml,USD,2.50,0,0,0.5\n",
            output.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_Html_WritesAPageWithAChartAndEveryRow()
    {
        var store = await StoreWithLinesAsync();
        var file = Path.Combine(_directory, "cost.html");

        var (exit, output, _) = CliRunner.Run(CostCommand.Create(), "cost", "report", "--store", store, "--from", "2026-12-01", "--to", "2026-12-02", "--by", "pool", "--format", "html", "-o", file);

        Assert.Equal(0, exit);
        Assert.Contains("3 row(s)", output, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(file);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.All(new[] { "linux", "arm", "gpu" }, pool => Assert.Contains($"<td>{pool}</td>", html, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--by", "repo", "--by: unknown value 'repo'")]
    [InlineData("--format", "pdf", "--format: unknown value 'pdf'")]
    [InlineData("--from", "last week", "--from: 'last week' is not a date")]
    [InlineData("--to", "2026-11-01", "must be before --to")]
    public async Task Report_BadOption_Exits1SayingWhat(string option, string value, string message)
    {
        var store = await StoreWithLinesAsync();

        string[] range = option == "--from" ? [] : ["--from", "2026-12-01"];

        var (exit, output, error) = CliRunner.Run(CostCommand.Create(), ["cost", "report", "--store", store, .. range, option, value]);

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private async Task<string> StoreWithLinesAsync()
    {
        var location = "sqlite:" + Path.Combine(_directory, "state.db");
        await using var store = await StateStoreFactory.OpenAsync(location, CancellationToken.None);
        CostEntry Line(string pool, string team, CostKind kind, decimal amount, double seconds, DateTimeOffset from) => new()
        {
            Pool = pool,
            Team = team,
            Provider = "k8s",
            From = from,
            To = from.AddSeconds(seconds),
            RunnerSeconds = seconds,
            Amount = amount,
            Currency = "USD",
            Kind = kind,
            RunnerId = $"drover-{pool}-1",
            Job = kind == CostKind.Busy ? new JobKey("github", "1") : null,
            Scope = "org:acme",
        };
        await store.InTransactionAsync(
            async (w, ct) =>
            {
                await w.AddCostAsync(Line("linux", "web", CostKind.Busy, 1.50m, 2700, T0), ct);
                await w.AddCostAsync(Line("arm", "web", CostKind.Idle, 1.00m, 1800, T0), ct);
                await w.AddCostAsync(Line("arm", "web", CostKind.Booting, 0.50m, 900, T0), ct);
                await w.AddCostAsync(Line("gpu", "ml", CostKind.Busy, 2.50m, 1800, T0), ct);
                await w.AddCostAsync(Line("gpu", "ml", CostKind.Busy, 99m, 1800, T0.AddDays(1)), ct);
                return true;
            },
            CancellationToken.None);
        return location;
    }
}
