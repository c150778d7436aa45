using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.EndToEnd.Tests.Support;
using Drover.Providers.External;
using Drover.Testing;
using Drover.Testing.GitHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> with a GitHub pool on an <c>external</c> provider: the executable is called as GARM calls it, each
/// instance is a local process that bootstraps through Drover's GARM metadata and callback endpoints with its instance
/// token (status, JIT files, system-info, idle) and then runs the stand-in runner, which registers with the emulator,
/// runs one job and exits. Once with the sample provider of examples/providers (interface v0.1.0) and once with the
/// provider that follows GARM's interface exactly (v0.1.1, provider ids that are not the names, exit 30 on a second
/// delete).
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class ExternalProviderEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "ghp_external_e2e";
    private const string Secret = "external-e2e-secret";
    private const int Jobs = 12;
    private readonly TempDirectory _directory = new("drover-external-e2e-");

    public void Dispose()
    {
        // Whatever a failed run left: the state directory's records name the instances' process groups.
        foreach (var record in Directory.Exists(_directory.File("state")) ? Directory.GetFiles(_directory.File("state")) : [])
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(record));
                if (json.RootElement.TryGetProperty("pid", out var pid))
                {
                    System.Diagnostics.Process.GetProcessById(pid.GetInt32()).Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Text.Json.JsonException or IOException or FormatException)
            {
                // Not a record, or the process is gone.
            }
        }

        _directory.Dispose();
    }

    [Theory]
    [InlineData("drover-local-provider", "v0.1.0")]
    [InlineData("garm-exact-provider", "v0.1.1")]
    public async Task Serve_GitHubPoolOnAnExternalProvider_JobsRun_InstancesCleanedUp_TokensRefusedAfterBootstrap(string executable, string version)
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 5 });
        ExternalProvider? provider = null;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        await using var app = await StartAsync(emulator, url, executable, version, p => provider = p);
        emulator.Webhooks.Target = new Uri(url, "/webhooks/github/github");
        emulator.Webhooks.Secret = Secret;
        var store = app.Services.GetRequiredService<IStateStore>();
        var started = DateTime.UtcNow;

        for (var n = 0; n < Jobs; n++)
        {
            emulator.QueueRun("acme/api", ($"job-{n}", ["self-hosted", "linux"], TimeSpan.FromMilliseconds(300 + (53 * n % 300))));
            if (n == Jobs / 2)
            {
                await Task.Delay(500);
            }
        }

        await Eventually.ThatAsync(() => emulator.Jobs(), jobs => jobs.Count == Jobs && jobs.All(j => j.Status == "completed"), "every job completed", TestServe.Statuses, TimeSpan.FromSeconds(180));
        var allRun = DateTime.UtcNow - started;
        await Eventually.ThatAsync(
            async () => (Forge: emulator.Runners().Count, Provider: (await provider!.ListAsync(CancellationToken.None)).Count, Store: await TestServe.LiveRunnersAsync(store)),
            left => left == (0, 0, 0),
            "no runner left at the forge, the provider or the store",
            left => $"{left.Forge} at the forge, {left.Provider} instances, {left.Store} live in the store",
            TimeSpan.FromSeconds(60));

        var jobs = emulator.Jobs();
        Assert.All(jobs, j => Assert.Equal(1, j.Takes));
        Assert.All(jobs, j => Assert.Equal("success", j.Conclusion));
        var runners = jobs.Select(j => j.RunnerName!).Distinct(StringComparer.Ordinal).ToList();
        Assert.Equal(Jobs, runners.Count);
        Assert.Empty(Directory.GetFiles(_directory.File("state"), "*.json").Concat(Directory.GetFiles(_directory.File("state"), "*.instance")));
        Assert.Equal(0, provider!.Tokens.Count);

        // Every instance bootstrapped through the GARM endpoints (the provider's log says so), and with the one that
        // kept them, each token is worthless now that its instance reported idle.
        var logs = Directory.GetFiles(_directory.File("state"), "*.log");
        Assert.DoesNotContain(logs, l => File.ReadAllText(l).Contains("bootstrap failed", StringComparison.Ordinal) || File.ReadAllText(l).Contains("failed to install", StringComparison.Ordinal));
        var tokens = Directory.GetFiles(_directory.File("state"), "*.token-used").Select(File.ReadAllText).ToList();
        if (executable == "garm-exact-provider")
        {
            // One per instance that finished its bootstrap: every runner that ran a job, and any made for demand that
            // another runner met first.
            Assert.True(tokens.Count >= Jobs, $"{tokens.Count} instances finished their bootstrap, fewer than the {Jobs} runners that ran a job");
        }

        using var instance = new HttpClient { BaseAddress = url };
        foreach (var token in tokens)
        {
            foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/v1/metadata/credentials/runner/"), (HttpMethod.Get, "/api/v1/metadata/runner-metadata/"), (HttpMethod.Get, "/api/v1/bootstrap/credential"), (HttpMethod.Post, "/api/v1/callbacks/status/") })
            {
                using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? JsonContent.Create(new { status = "idle" }) : null };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await instance.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        output.WriteLine($"{Jobs} jobs on {runners.Count} runners of {executable} ({version}), all run after {allRun.TotalSeconds:F1} s; {tokens.Count} used tokens refused");
    }

    private Task<WebApplication> StartAsync(GitHubEmulator emulator, Uri url, string executable, string version, Action<ExternalProvider> created)
    {
        var standIn = Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll");
        var state = _directory.File("state");
        var providerConfig = _directory.File("provider.toml");
        var runnerEnvironment = new[] { "PATH", "HOME", "DOTNET_ROOT", "DOTNET_CLI_HOME" }
            .Where(name => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
            .Select(name => $"{name} = \"{Environment.GetEnvironmentVariable(name)}\"");
        File.WriteAllText(providerConfig, $"""
            state_dir = "{state}"
            runner_command = ["/usr/bin/env", "dotnet", "{standIn}"]
            [runner_env]
            {string.Join('\n', runnerEnvironment)}
            """);
        var yaml = $$"""
            controllerId: drover-e2e
            forges:
              - name: github
                kind: github
                url: {{emulator.ApiUrl}}
                auth: { token: env:EXTERNAL_E2E_GITHUB_TOKEN }
                webhookSecret: env:EXTERNAL_E2E_WEBHOOK_SECRET
            providers:
              - name: cloud
                type: external
                settings:
                  executable: "{{Path.Combine(AppContext.BaseDirectory, "Providers", executable)}}"
                  configFile: "{{providerConfig}}"
                  interfaceVersion: {{version}}
                  callbackUrl: "{{url}}api/v1/callbacks"
                  metadataUrl: "{{url}}api/v1/metadata"
                  execTimeout: 30s
                  createTimeout: 30s
            pools:
              - name: linux
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                provider: cloud
                max: 4
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
            """;
        var environment = new Dictionary<string, string> { ["EXTERNAL_E2E_GITHUB_TOKEN"] = Token, ["EXTERNAL_E2E_WEBHOOK_SECRET"] = Secret };
        var catalog = new AdapterCatalog()
            .Add(new ExternalModule((config, context) =>
            {
                var provider = ExternalProviderFactory.Build(config, context);
                created(provider);
                return provider;
            }))
            .AddGitHub(environment);
        return TestServe.StartAsync(yaml, catalog, _directory.Path, "external-e2e", adjust: o => o with { Urls = url.AbsoluteUri.TrimEnd('/') });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
