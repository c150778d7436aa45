using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Testing;
using Drover.Testing.GitHub;
using Xunit.Abstractions;

namespace Drover.Chaos.Tests.Fuzz;

/// <summary>
/// The poison-input figure of docs/reliability.md: 500 correctly signed <c>workflow_job</c> deliveries that cannot be
/// interpreted (an <c>id</c> or <c>run_id</c> that is not a number, or holds a lone surrogate), then one valid job. The
/// valid job must reach the ledger within 2 s, and the poison must be set aside (no delivery left waiting to be
/// interpreted again) rather than retried forever.
/// </summary>
public sealed class PoisonDeliveryTests(ITestOutputHelper output)
{
    [SharedDataFact("data/fixtures")]
    public async Task FiveHundredPoisonDeliveries_AValidJobStillArrivesWithinTwoSeconds_AndThePoisonIsSetAside()
    {
        await using var server = await FuzzServer.StartAsync();
        var template = JsonNode.Parse(await File.ReadAllBytesAsync(SharedData.FilePath("data/fixtures/github/workflow_job", "queued.payload.json")))!;
        string[] poisons = ["\"not-a-number\"", "\"\\ud800\"", "\"12a\"", "1.5", "{}"];
        var sent = Stopwatch.StartNew();
        for (var i = 0; i < 500; i++)
        {
            // Spliced into the text: System.Text.Json would not write a lone surrogate.
            var payload = template.DeepClone();
            payload["workflow_job"]![i % 2 == 0 ? "id" : "run_id"] = "__poison__";
            var body = Encoding.UTF8.GetBytes(payload.ToJsonString().Replace("\"__poison__\"", poisons[i % poisons.Length], StringComparison.Ordinal));
            Assert.Equal(202, await server.GitHub.Webhooks.PostAsync(new Uri(server.Client.BaseAddress!, "/webhooks/github/github"), $"poison-{i}", body, EmulatorWebhooks.Sign(FuzzServer.GitHubSecret, body)));
        }

        output.WriteLine($"500 poison deliveries accepted in {sent.Elapsed.TotalSeconds:F1} s");

        // The valid job, sent as GitHub sends it.
        server.GitHub.Webhooks.Secret = FuzzServer.GitHubSecret;
        server.GitHub.Webhooks.Target = new Uri(server.Client.BaseAddress!, "/webhooks/github/github");
        var valid = Stopwatch.StartNew();
        var id = server.GitHub.QueueRun("acme/api", ("valid", ["self-hosted", "linux"], TimeSpan.FromSeconds(1))).Single().ToString(System.Globalization.CultureInfo.InvariantCulture);
        TimeSpan? seen = null;
        while (valid.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await JobKnownAsync(server.Client, id))
            {
                seen = valid.Elapsed;
                break;
            }

            await Task.Delay(50);
        }

        output.WriteLine($"the valid job reached the ledger {(seen is { } s ? $"after {s.TotalSeconds:F2} s" : "not within 30 s")}");

        // Set aside within a bounded number of attempts: nothing waits to be interpreted again.
        var left = 0;
        try
        {
            await Eventually.ThatAsync(
                async () => (await server.Store.ListUnprocessedDeliveriesAsync(1000, CancellationToken.None)).Count,
                count => count == 0, "every poison delivery set aside", count => $"{count} waiting", TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            left = (await server.Store.ListUnprocessedDeliveriesAsync(1000, CancellationToken.None)).Count;
        }

        output.WriteLine($"{left} poison deliveries still waiting to be interpreted 10 s later");

        Assert.True(seen is { } t && t <= TimeSpan.FromSeconds(2), $"a valid job sent after 500 poison deliveries reached the ledger {(seen is { } u ? $"after {u.TotalSeconds:F2} s" : "not within 30 s")}, not within 2 s");
        Assert.True(left == 0, $"{left} poison deliveries are still waiting to be interpreted again after 10 s (retried every cycle, never set aside)");
    }

    private static async Task<bool> JobKnownAsync(HttpClient client, string id)
    {
        foreach (var state in new[] { "queued", "running", "completed" })
        {
            using var document = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/jobs?state={state}"));
            if (document.RootElement.GetProperty("jobs").EnumerateArray().Any(j => j.GetProperty("key").GetProperty("id").GetString() == id))
            {
                return true;
            }
        }

        return false;
    }
}
