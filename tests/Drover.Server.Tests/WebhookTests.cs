using System.Net;
using System.Text;
using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Testing;
using Drover.Testing.Modules;

namespace Drover.Server.Tests;

public sealed class WebhookTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Payload = "{\"action\":\"queued\",\"workflow_job\":{\"id\":1}}";

    [Fact]
    public async Task GitHub_Delivery_Is202AndStoredRaw()
    {
        var id = NewId();
        using var response = await PostAsync("/webhooks/github/github", Payload, ("X-GitHub-Delivery", id), ("X-GitHub-Event", "workflow_job"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = await FindAsync("github", id);
        Assert.NotNull(stored);
        Assert.Equal(Payload, Encoding.UTF8.GetString(stored.Body.Span));
        using var headers = JsonDocument.Parse(stored.HeadersJson);
        Assert.Equal("workflow_job", headers.RootElement.GetProperty("X-GitHub-Event").GetString());
        Assert.Equal(id, headers.RootElement.GetProperty("X-GitHub-Delivery").GetString());
    }

    [Fact]
    public async Task Delivery_IsProcessedByTheLoopAfterTheResponse()
    {
        var id = NewId();
        using var response = await PostAsync("/webhooks/github/github", Payload, ("X-GitHub-Delivery", id));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // The demo forge takes no webhooks: the loop marks the delivery processed without effect, woken by the request.
        var stored = await Eventually.ThatAsync(
            () => FindAsync("github", id),
            delivery => delivery?.ProcessedAt is not null,
            $"delivery {id} processed by the loop",
            delivery => delivery is null ? "not stored" : "stored, not processed",
            TimeSpan.FromSeconds(20));

        Assert.NotNull(stored?.ProcessedAt);
    }

    [Fact]
    public async Task GitLab_Delivery_UsesEventUuidElseIdempotencyKey()
    {
        var uuid = NewId();
        var key = NewId();
        using var first = await PostAsync("/webhooks/gitlab/gitlab", Payload, ("X-Gitlab-Event-UUID", uuid), ("Idempotency-Key", NewId()), ("X-Gitlab-Event", "Job Hook"));
        using var second = await PostAsync("/webhooks/gitlab/gitlab", Payload, ("Idempotency-Key", key));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.NotNull(await FindAsync("gitlab", uuid));
        Assert.NotNull(await FindAsync("gitlab", key));
    }

    [Fact]
    public async Task Delivery_Repeated_Is200DuplicateAndStoredOnce()
    {
        var id = NewId();
        using var first = await PostAsync("/webhooks/github/github", Payload, ("X-GitHub-Delivery", id));
        using var second = await PostAsync("/webhooks/github/github", "{\"other\":true}", ("X-GitHub-Delivery", id));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("duplicate").GetBoolean());
        var stored = await FindAsync("github", id);
        Assert.NotNull(stored);
        Assert.Equal(Payload, Encoding.UTF8.GetString(stored.Body.Span));
    }

    [Fact]
    public async Task Delivery_Over1MiB_Is413AndNothingStored()
    {
        var id = NewId();
        using var response = await PostAsync("/webhooks/github/github", new string('x', 2 * 1024 * 1024), ("X-GitHub-Delivery", id));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(await FindAsync("github", id));
    }

    [Theory]
    [InlineData("/webhooks/github/github", "X-GitHub-Delivery")]
    [InlineData("/webhooks/gitlab/gitlab", "X-Gitlab-Event-UUID or Idempotency-Key")]
    public async Task Delivery_WithoutDeliveryHeader_Is400NamingIt(string path, string header)
    {
        using var response = await PostAsync(path, Payload);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(header, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_EmptyBody_Is400AndNothingStored()
    {
        var id = NewId();
        using var response = await PostAsync("/webhooks/github/github", string.Empty, ("X-GitHub-Delivery", id));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(await FindAsync("github", id));
    }

    [Theory]
    [InlineData("/webhooks/github/nope", "no forge named 'nope'")]
    [InlineData("/webhooks/github/gitlab", "is a gitlab forge")]
    [InlineData("/webhooks/gitlab/github", "is a github forge")]
    [InlineData("/webhooks/bitbucket/github", "send its webhooks to /webhooks/github/github")]
    public async Task Delivery_UnknownForgeOrWrongKind_Is404WithAMessage(string path, string message)
    {
        using var response = await PostAsync(path, Payload, ("X-GitHub-Delivery", NewId()), ("X-Gitlab-Event-UUID", NewId()));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_ForAForgeWhoseModuleTakesNoWebhooks_Is404AndNothingStored()
    {
        using var directory = new TempDirectory("drover-webhooks-");
        var noWebhooks = new TestForgeModule(ForgeKind.GitLab, (_, _) => throw new InvalidOperationException("built by the world")) { TakesWebhooks = false };
        await using var app = await ServerFixture.StartDemoAsync(directory.File("state.db"), o => o with { Catalog = o.Catalog.Add(noWebhooks) });
        using var client = ServerFixture.Client(new Uri(app.Urls.First()));
        using var content = new StringContent(Payload, Encoding.UTF8, "application/json");
        content.Headers.Add("X-Gitlab-Event-UUID", NewId());

        using var response = await client.PostAsync("/webhooks/gitlab/gitlab", content);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("forge 'gitlab' (gitlab) takes no webhooks", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_SecretHeaders_AreNotStored()
    {
        var github = NewId();
        var gitlab = NewId();
        using var first = await PostAsync("/webhooks/github/github", Payload, ("X-GitHub-Delivery", github), ("X-Hub-Signature-256", "sha256=secret-signature"), ("X-Hub-Signature", "sha1=secret-signature"));
        using var second = await PostAsync("/webhooks/gitlab/gitlab", Payload, ("X-Gitlab-Event-UUID", gitlab), ("X-Gitlab-Token", "secret-gitlab-token"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        foreach (var stored in new[] { await FindAsync("github", github), await FindAsync("gitlab", gitlab) })
        {
            Assert.NotNull(stored);
            Assert.DoesNotContain("secret", stored.HeadersJson, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Signature", stored.HeadersJson, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Token", stored.HeadersJson, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Delivery_IsCountedInMetrics()
    {
        using var response = await PostAsync("/webhooks/github/github", Payload, ("X-GitHub-Delivery", NewId()));
        using var rejected = await PostAsync("/webhooks/github/github", Payload);

        using var client = server.Client();
        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("drover_webhook_deliveries_total{forge=\"github\",outcome=\"stored\"}", text, StringComparison.Ordinal);
        Assert.Contains("drover_webhook_deliveries_total{forge=\"github\",outcome=\"rejected\"}", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/webhooks/github/github", "X-GitHub-Delivery", "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"name\":\"\\ud800\"}}", "field 'name' at line 1, column 50 holds an unpaired surrogate escape")]
    [InlineData("/webhooks/gitlab/gitlab", "X-Gitlab-Event-UUID", "{\"object_kind\":\"build\",\"build_id\":1,\"build_status\":\"pending\",\"project_name\":\"x\\udc00y\"}", "field 'project_name' at line 1, column 77 holds an unpaired surrogate escape")]
    [InlineData("/webhooks/gitlab/gitlab", "X-Gitlab-Event-UUID", "{\"a\":\"\\ud800\\u0041\"}", "field 'a' at line 1, column 6")]
    public async Task Delivery_UnpairedSurrogateEscape_Is400SayingWhere_AndNothingStored(string path, string header, string body, string message)
    {
        var id = NewId();
        using var response = await PostAsync(path, body, (header, id));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await FindAsync(path.EndsWith("github", StringComparison.Ordinal) ? "github" : "gitlab", id));
    }

    [Theory]
    [InlineData("/webhooks/github/github", "X-GitHub-Delivery", "github")]
    [InlineData("/webhooks/gitlab/gitlab", "X-Gitlab-Event-UUID", "gitlab")]
    public async Task Delivery_InvalidUtf8_Is400SayingWhichByte_AndNothingStored(string path, string header, string forge)
    {
        var id = NewId();
        byte[] body = [.. "{\"action\":\"queued\",\n\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation(header, id);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body: not valid UTF-8 at byte 26 (line 2, column 6)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await FindAsync(forge, id));
    }

    [Fact]
    public async Task Delivery_PairedSurrogateEscapesAndNonAsciiText_AreAccepted()
    {
        var id = NewId();
        using var response = await PostAsync("/webhooks/github/github", "{\"action\":\"queued\",\"name\":\"\\ud83d\\ude80 fusée ✓\"}", ("X-GitHub-Delivery", id));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.NotNull(await FindAsync("github", id));
    }

    private static string NewId() => Guid.NewGuid().ToString();

    private async Task<HttpResponseMessage> PostAsync(string path, string body, params (string Name, string Value)[] headers)
    {
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        // A large body waits for the server's go-ahead, as a careful sender does: the server answers 413 from the
        // Content-Length without reading, and a sender still writing would meet a closed connection instead.
        request.Headers.ExpectContinue = body.Length > 64 * 1024;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request);
    }

    private Task<WebhookDelivery?> FindAsync(string forge, string id) => server.Store.GetDeliveryAsync(forge, id, CancellationToken.None);
}
