using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Engine.Leadership;
using Drover.Server.Hosting;
using Drover.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Server.Tests;

/// <summary>
/// GARM's instance-facing endpoints (<c>/api/v1/metadata/…</c>, <c>/api/v1/callbacks/…</c>), as the bootstrap scripts of
/// GARM's external providers call them with their instance token, and GARM's token rules.
/// </summary>
public sealed class GarmMetadataEndpointTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-garm-metadata-");

    public void Dispose() => _directory.Dispose();

    /// <summary>A JIT configuration as GitHub encodes it: base64 of a JSON object of base64 files.</summary>
    private static string JitConfig() => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string>
    {
        [".runner"] = B64("""{"agentId":7,"agentName":"linux-0001"}"""),
        [".credentials"] = B64("""{"scheme":"OAuth"}"""),
        [".credentials_rsaparams"] = B64("""{"d":"secret-rsa"}"""),
    })));

    [Fact]
    public async Task JitInstance_FetchesItsFilesWhileBooting_ThenItsTokenIsRefusedEverywhere()
    {
        await using var app = await StartAsync();
        var state = app.Services.GetRequiredService<ServerState>();
        var token = state.Bootstrap.Issue("linux", "linux-0001", new RunnerCredential("jit-config", JitConfig()), TimeSpan.FromMinutes(5));
        using var instance = ServerFixture.Client(new Uri(app.Urls.First()));

        using (var runner = await SendAsync(instance, HttpMethod.Get, "/api/v1/metadata/credentials/runner/", token))
        {
            Assert.Equal(HttpStatusCode.OK, runner.StatusCode);
            Assert.Equal("""{"agentId":7,"agentName":"linux-0001"}""", await runner.Content.ReadAsStringAsync());
            Assert.Equal(".runner", runner.Content.Headers.ContentDisposition?.FileName);
            Assert.Equal("no-store", runner.Headers.CacheControl?.ToString());
        }

        Assert.Equal("""{"scheme":"OAuth"}""", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/credentials/credentials", token, HttpStatusCode.OK));
        Assert.Equal("""{"d":"secret-rsa"}""", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/credentials/credentials_rsaparams/", token, HttpStatusCode.OK));
        Assert.Equal("""{"scheme":"OAuth"}""", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/credentials/credentials/", token, HttpStatusCode.OK));
        Assert.Contains("no JIT file 'secret'", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/credentials/secret", token, HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Contains("configured for JIT", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/runner-registration-token/", token, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal("actions.runner.example", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/system/service-name/", token, HttpStatusCode.OK));
        var unit = await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/systemd/unit-file/?runAsUser=runner", token, HttpStatusCode.OK);
        Assert.Contains("ExecStart=/home/runner/actions-runner/runsvc.sh", unit, StringComparison.Ordinal);
        Assert.Contains("runAsUser '../root' is not a user name", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/systemd/unit-file?runAsUser=../root", token, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal("""{"root_certificates":{}}""", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/system/cert-bundle/", token, HttpStatusCode.OK));
        using (var metadata = JsonDocument.Parse(await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/runner-metadata/", token, HttpStatusCode.OK)))
        {
            Assert.Equal("linux-0001", metadata.RootElement.GetProperty("runner_name").GetString());
            Assert.True(metadata.RootElement.GetProperty("jit_enabled").GetBoolean());
            Assert.Equal("github", metadata.RootElement.GetProperty("forge_type").GetString());
            Assert.EndsWith("/api/v1/callbacks", metadata.RootElement.GetProperty("metadata_access").GetProperty("callback_url").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("Drover does not render install scripts", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/install-script/", token, HttpStatusCode.Conflict), StringComparison.Ordinal);
        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/system-info/", token, HttpStatusCode.OK, new { os_name = "ubuntu", os_version = "24.04", agent_id = (long?)null });
        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status", token, HttpStatusCode.OK, new { status = "installing", message = "downloading tools" });
        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status/", token, HttpStatusCode.OK, new { status = "", message = "configuring runner" });
        Assert.Contains("invalid runner status transition", await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status/", token, HttpStatusCode.BadRequest, new { status = "pending" }), StringComparison.Ordinal);
        Assert.Contains("must be a JSON object", await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status/", token, HttpStatusCode.BadRequest, "not json"), StringComparison.Ordinal);
        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status/", token, HttpStatusCode.OK, new { status = "idle", message = "runner successfully installed", agent_id = (long?)null });

        // The bootstrap is over: GARM's rule, the token gives nothing more.
        foreach (var path in new[] { "/api/v1/metadata/credentials/runner/", "/api/v1/metadata/system/service-name/", "/api/v1/metadata/runner-metadata/", "/api/v1/bootstrap/credential" })
        {
            var refused = await TextAsync(instance, HttpMethod.Get, path, token, HttpStatusCode.Unauthorized);
            Assert.DoesNotContain("secret-rsa", refused, StringComparison.Ordinal);
        }

        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status/", token, HttpStatusCode.Unauthorized, new { status = "idle" });
        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/system-info/", token, HttpStatusCode.Unauthorized, new { os_name = "ubuntu" });
        Assert.Equal(0, state.Bootstrap.Count);
    }

    [Fact]
    public async Task RegistrationToken_IsHandedOutOnce_AndFailedEndsTheBootstrap()
    {
        await using var app = await StartAsync();
        var state = app.Services.GetRequiredService<ServerState>();
        var token = state.Bootstrap.Issue("linux", "linux-0002", new RunnerCredential("runner-token", "AABBCCDDEEFF"), TimeSpan.FromMinutes(5));
        using var instance = ServerFixture.Client(new Uri(app.Urls.First()));

        using (var first = await SendAsync(instance, HttpMethod.Get, "/api/v1/metadata/runner-registration-token/", token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("AABBCCDDEEFF", await first.Content.ReadAsStringAsync());
        }

        var again = await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/runner-registration-token", token, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain("AABBCCDDEEFF", again, StringComparison.Ordinal);
        Assert.Contains("instance not configured for JIT", await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/credentials/runner", token, HttpStatusCode.NotFound), StringComparison.Ordinal);
        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status/", token, HttpStatusCode.OK, new { status = "failed", message = "config.sh exited 1" });

        await TextAsync(instance, HttpMethod.Post, "/api/v1/callbacks/status/", token, HttpStatusCode.Unauthorized, new { status = "failed" });
    }

    [Fact]
    public async Task NoToken_OrAnApiToken_IsRefused_AndAClosedRunnersTokenToo()
    {
        await using var app = await StartAsync();
        var state = app.Services.GetRequiredService<ServerState>();
        var token = state.Bootstrap.Issue("linux", "linux-0003", new RunnerCredential("jit-config", JitConfig()), TimeSpan.FromMinutes(5));
        using var instance = ServerFixture.Client(new Uri(app.Urls.First()));

        using (var none = await SendAsync(instance, HttpMethod.Get, "/api/v1/metadata/runner-metadata/", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        }

        await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/runner-metadata/", ServerFixture.Tokens[Drover.Server.Auth.ApiRole.Admin], HttpStatusCode.Unauthorized);
        await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/runner-metadata/", token, HttpStatusCode.OK);

        // A delete closes the runner: what its instance still holds is worthless.
        state.Bootstrap.Close("linux-0003");

        await TextAsync(instance, HttpMethod.Get, "/api/v1/metadata/credentials/runner/", token, HttpStatusCode.Unauthorized);
    }

    private async Task<WebApplication> StartAsync()
    {
        var app = await ServerFixture.StartDemoAsync(Path.Combine(_directory.Path, "state.db"));
        var state = app.Services.GetRequiredService<ServerState>();
        await Eventually.ThatAsync(() => Task.FromResult(state.Election.Role), role => role == LeaderRole.Leader, "this replica leads", role => role.ToString(), TimeSpan.FromSeconds(20));
        return app;
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static async Task<string> TextAsync(HttpClient client, HttpMethod method, string path, string? token, HttpStatusCode expected, object? body = null)
    {
        using var response = await SendAsync(client, method, path, token, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
        return text;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }
}
