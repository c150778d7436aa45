using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Engine.Leadership;
using Drover.Server.Hosting;
using Drover.Server.Tests.Support;
using Drover.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Server.Tests;

/// <summary><c>GET /api/v1/bootstrap/credential</c>: an instance trades its one-time bootstrap token for its runner credential.</summary>
public sealed class BootstrapEndpointTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-bootstrap-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Credential_IsHandedOutOnce_ThenTheTokenIsRefused_AndNoApiTokenIsNeeded()
    {
        await using var app = await ServerFixture.StartDemoAsync(Path.Combine(_directory.Path, "state.db"));
        var state = app.Services.GetRequiredService<ServerState>();
        await Eventually.ThatAsync(() => Task.FromResult(state.Election.Role), role => role == LeaderRole.Leader, "this replica leads", role => role.ToString(), TimeSpan.FromSeconds(20));
        var token = state.Bootstrap.Issue("linux", "linux-0001", new RunnerCredential("jit-config", "jit-secret-value"), TimeSpan.FromMinutes(5));
        using var instance = ServerFixture.Client(new Uri(app.Urls.First()));

        using var first = await GetAsync(instance, token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());
        using (var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync()))
        {
            Assert.Equal("linux-0001", body.RootElement.GetProperty("runner").GetString());
            Assert.Equal("linux", body.RootElement.GetProperty("pool").GetString());
            Assert.Equal("jit-config", body.RootElement.GetProperty("kind").GetString());
            Assert.Equal("jit-secret-value", body.RootElement.GetProperty("credential").GetString());
        }

        using var second = await GetAsync(instance, token);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.DoesNotContain("jit-secret-value", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var none = await GetAsync(instance, null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);

        // An API token is not a bootstrap token.
        using var api = await GetAsync(instance, ServerFixture.Tokens[Drover.Server.Auth.ApiRole.Admin]);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task ClosedRunner_ItsTokenGivesNothing()
    {
        await using var app = await ServerFixture.StartDemoAsync(Path.Combine(_directory.Path, "state.db"));
        var state = app.Services.GetRequiredService<ServerState>();
        await Eventually.ThatAsync(() => Task.FromResult(state.Election.Role), role => role == LeaderRole.Leader, "this replica leads", role => role.ToString(), TimeSpan.FromSeconds(20));
        var token = state.Bootstrap.Issue("linux", "linux-0002", new RunnerCredential("jit-config", "jit-secret-value"), TimeSpan.FromMinutes(5));
        using var instance = ServerFixture.Client(new Uri(app.Urls.First()));

        state.Bootstrap.Close("linux-0002");

        using var response = await GetAsync(instance, token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/bootstrap/credential");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client.SendAsync(request);
    }
}
