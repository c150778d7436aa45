using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Drover.Core.Ports;
using Drover.Storage;

namespace Drover.Cli.Tests;

/// <summary><c>drover serve</c>, <c>drover backup</c> and <c>drover restore</c> as a user runs them.</summary>
public sealed partial class ServeBackupRestoreCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-cli-").FullName;

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
    public async Task Serve_Demo_AsTheReadmeSays_HealthMetricsAndPoolsWithTheViewerToken()
    {
        var store = "sqlite:" + Path.Combine(_directory, "demo.db");
        await using var serve = CliRunner.Start(ServeCommand.Create(), "serve", "--store", store, "--urls", "http://127.0.0.1:0", "--backup-dir", Path.Combine(_directory, "backups"));
        await serve.WaitForOutputAsync("open ");

        Assert.Contains("DEMO MODE", serve.Output, StringComparison.Ordinal);
        var url = DashboardLine().Match(serve.Output).Groups["url"].Value;
        var viewer = ViewerLine().Match(serve.Output).Groups["token"].Value;
        Assert.NotEmpty(url);
        Assert.StartsWith("drover_demo_", viewer, StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal("ok\n", await client.GetStringAsync("/healthz"));
        Assert.Contains("drover_build_info", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        using (var anonymous = await client.GetAsync("/api/v1/pools"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewer);
        var pools = await client.GetStringAsync("/api/v1/pools");
        Assert.Contains("\"linux\"", pools, StringComparison.Ordinal);
        Assert.Contains("\"demo\":true", pools, StringComparison.Ordinal);

        Assert.Equal(0, await serve.StopAsync());
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "backups"), "drover-*.jsonl"));
    }

    [Theory]
    [InlineData("--backup-every", "soon", "--backup-every: 'soon' is not a duration")]
    [InlineData("--backup-keep", "0", "--backup-keep: must be at least 1")]
    public void Serve_BadBackupSetting_Exits1NamingTheOption(string option, string value, string message)
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", "sqlite:" + Path.Combine(_directory, "x.db"), option, value);

        Assert.Equal(1, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_TlsCertWithoutKey_Exits2()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", "sqlite:" + Path.Combine(_directory, "x.db"), "--tls-cert", Path.Combine(_directory, "tls.crt"));

        Assert.Equal(2, exit);
        Assert.Contains("serve: --tls-cert and --tls-key go together: give both or neither", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_TlsCertThatDoesNotExist_Exits2NamingIt_HttpsAddressWithoutACertificate_Exits2()
    {
        var cert = Path.Combine(_directory, "tls.crt");
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", "sqlite:" + Path.Combine(_directory, "x.db"), "--urls", "https://127.0.0.1:0", "--tls-cert", cert, "--tls-key", Path.Combine(_directory, "tls.key"));

        Assert.Equal(2, exit);
        Assert.Equal($"serve: --tls-cert: file '{cert}' does not exist", error.Trim());

        (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", "sqlite:" + Path.Combine(_directory, "y.db"), "--urls", "https://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains("serve: --urls has an https:// address; give its certificate with --tls-cert and --tls-key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_ConfigWithoutStore_Exits1()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--config", CliRunner.Example("fleet.yaml"));

        Assert.Equal(1, exit);
        Assert.Contains("--store is required with --config", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_FleetWithAProviderTypeThisBuildLacks_Exits2NamingItWhereWritten()
    {
        var config = Path.Combine(_directory, "fleet.yaml");
        File.WriteAllText(config, File.ReadAllText(CliRunner.Example("fleet.yaml")).Replace("type: kubernetes", "type: gce", StringComparison.Ordinal));
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--config", config, "--store", "sqlite:" + Path.Combine(_directory, "s.db"), "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains("providers[0].type: unknown provider type 'gce'; this build runs:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_KubeconfigThatDoesNotExist_Exits2WithOneLineAndNoStackTrace()
    {
        var config = Path.Combine(_directory, "fleet.yaml");
        var missing = Path.Combine(_directory, "no-such-kubeconfig");
        File.WriteAllText(config, File.ReadAllText(CliRunner.Example("fleet.yaml"))
            .Replace("      namespace: ci-runners\n", $"      namespace: ci-runners\n      kubeconfig: {missing}\n", StringComparison.Ordinal));
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--config", config, "--store", "sqlite:" + Path.Combine(_directory, "s.db"), "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains($"settings.kubeconfig: file '{missing}' does not exist", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task BackupRestore_RoundTrip_RefusesANonEmptyStoreWithoutForce()
    {
        var source = "sqlite:" + Path.Combine(_directory, "source.db");
        var target = "sqlite:" + Path.Combine(_directory, "target.db");
        var file = Path.Combine(_directory, "state.jsonl");
        await using (var store = await StateStoreFactory.OpenAsync(source, CancellationToken.None))
        {
            await store.InTransactionAsync((w, ct) => w.AppendEventAsync(new NewEvent(DateTimeOffset.UnixEpoch, "test", "seed", "store", "kept across backup and restore"), ct), CancellationToken.None);
        }

        var backup = CliRunner.Run(BackupCommand.Create(), "backup", "--store", source, "--to", file);
        Assert.Equal(0, backup.ExitCode);
        Assert.Matches(@"backup: wrote .*state\.jsonl \(\d+ bytes\)", backup.Output);

        Assert.Equal(0, CliRunner.Run(RestoreCommand.Create(), "restore", "--store", target, "--from", file, "--create").ExitCode);
        var again = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", target, "--from", file);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run(RestoreCommand.Create(), "restore", "--store", target, "--from", file, "--force").ExitCode);
        await using var restored = await StateStoreFactory.OpenAsync(target, CancellationToken.None);
        Assert.Contains(await restored.ListEventsAsync(new EventQuery { Limit = 10 }, CancellationToken.None), e => e.Message == "kept across backup and restore");
    }

    [Fact]
    public async Task Backup_IntoAMissingDirectory_Exits1AndLeavesNoFile()
    {
        var store = "sqlite:" + Path.Combine(_directory, "s.db");
        await (await StateStoreFactory.OpenAsync(store, CancellationToken.None)).DisposeAsync();
        var file = Path.Combine(_directory, "no-such-dir", "state.jsonl");
        var (exit, _, error) = CliRunner.Run(BackupCommand.Create(), "backup", "--store", store, "--to", file);

        Assert.Equal(1, exit);
        Assert.StartsWith("backup: ", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [GeneratedRegex(@"dashboard: (?<url>http://127\.0\.0\.1:\d+)/")]
    private static partial Regex DashboardLine();

    [GeneratedRegex(@"viewer: (?<token>\S+)")]
    private static partial Regex ViewerLine();
}
