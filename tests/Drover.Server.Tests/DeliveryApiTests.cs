using System.Net;
using System.Text;
using System.Text.Json;
using Drover.Core.Ports;
using Drover.Server.Auth;
using Drover.Testing;

namespace Drover.Server.Tests;

/// <summary>Quarantined webhook deliveries in the API: listed without body or headers, and requeued by an operator with an audit event.</summary>
public sealed class DeliveryApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly CancellationToken _none = CancellationToken.None;

    [Fact]
    public async Task Deliveries_Quarantined_AreListedWithTheReason_NeverTheBodyOrHeaders()
    {
        var id = await QuarantineAsync("unreadable: FormatException: workflow_job.id: missing or not an integer");
        using var client = server.Client(ApiRole.Viewer);

        var text = await client.GetStringAsync("/api/v1/deliveries?state=quarantined");

        using var document = JsonDocument.Parse(text);
        var listed = document.RootElement.GetProperty("deliveries").EnumerateArray().Single(d => d.GetProperty("deliveryId").GetString() == id);
        Assert.Equal("github", listed.GetProperty("forge").GetString());
        Assert.Equal(1, listed.GetProperty("attempts").GetInt32());
        Assert.Equal("unreadable: FormatException: workflow_job.id: missing or not an integer", listed.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("quarantinedAt").ValueKind);
        Assert.Equal(JsonValueKind.String, listed.GetProperty("receivedAt").ValueKind);
        Assert.Equal(
            ["attempts", "deliveryId", "forge", "nextAttemptAt", "quarantinedAt", "reason", "receivedAt"],
            listed.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("secret-in-the-body", text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-GitHub-Event", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/deliveries?state=gone", "state: unknown value 'gone'; one of: waiting, quarantined")]
    [InlineData("/api/v1/deliveries?state=1", "state: unknown value '1'")]
    [InlineData("/api/v1/deliveries?limit=0", "limit: must be between 1 and 1000")]
    public async Task Deliveries_BadQuery_Is400WithAMessage(string path, string message)
    {
        using var client = server.Client(ApiRole.Viewer);
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliveries_NeedAToken()
    {
        using var anonymous = server.Client();
        using var list = await anonymous.GetAsync("/api/v1/deliveries");
        using var viewer = server.Client(ApiRole.Viewer);
        using var requeue = await viewer.PostAsync("/api/v1/deliveries/github/x/requeue", null);

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, requeue.StatusCode);
    }

    [Fact]
    public async Task Requeue_Quarantined_IsAuditedAndTheLoopTakesItAgain()
    {
        var id = await QuarantineAsync("attempt 5 of 5 failed: InvalidOperationException: boom");
        using var client = server.Client(ApiRole.Operator);

        using var response = await client.PostAsync($"/api/v1/deliveries/github/{id}/requeue", new StringContent("{\"reason\":\"receiver fixed\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var events = await server.Store.ListEventsAsync(new EventQuery { Limit = 100_000 }, _none);
        Assert.Contains(events, e => e.Kind == EventKinds.ApiDeliveryRequeue && e.Subject == $"github/{id}" && e.Actor == "api:operator-bot" && e.Message == "receiver fixed");

        // The demo forge takes no webhooks: the loop marks the requeued delivery processed without effect.
        var stored = await Eventually.ThatAsync(() => server.Store.GetDeliveryAsync("github", id, _none), d => d?.ProcessedAt is not null, "the requeued delivery processed", d => $"attempts {d?.Attempts}, quarantined {d?.QuarantinedAt}", TimeSpan.FromSeconds(20));
        Assert.Null(stored!.QuarantinedAt);

        using var again = await client.PostAsync($"/api/v1/deliveries/github/{id}/requeue", null);
        using var unknown = await client.PostAsync("/api/v1/deliveries/github/no-such-delivery/requeue", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("is not quarantined", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    /// <summary>Stores a delivery and quarantines it as the loop would; returns its id.</summary>
    private async Task<string> QuarantineAsync(string reason)
    {
        var id = Guid.NewGuid().ToString();
        var at = DateTimeOffset.UtcNow;
        await server.Store.InTransactionAsync(
            async (w, ct) =>
            {
                await w.TryInsertDeliveryAsync(
                    new WebhookDelivery
                    {
                        Forge = "github",
                        DeliveryId = id,
                        ReceivedAt = at,
                        HeadersJson = """{"X-GitHub-Event":"workflow_job"}""",
                        Body = Encoding.UTF8.GetBytes("""{"note":"secret-in-the-body"}"""),
                    },
                    ct);
                return await w.QuarantineDeliveryAsync("github", id, reason, at, ct);
            },
            _none);
        return id;
    }
}
