using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drover.Testing;
using Drover.Testing.Fuzz;
using Drover.Testing.GitHub;
using Xunit.Abstractions;

namespace Drover.Chaos.Tests.Fuzz;

/// <summary>
/// Fixed-seed fuzzing of what <c>drover serve</c> takes over HTTP, in-process: correctly signed webhook deliveries with
/// mutated payloads (both forges, the GitLab ones half without <c>X-Gitlab-Event-UUID</c>), and random or mutated JSON,
/// invalid UTF-8 and hostile names for the API's POST endpoints (reload, drain, resume, runner delete). Every answer
/// must be below 500, and a refusal of the input (400, 413) must say what is wrong. CI: 1,500 inputs per target;
/// <c>DROVER_FUZZ_INPUTS</c> sets the count.
/// </summary>
public sealed class HttpFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261208;

    private static int Inputs => Fuzzer.Budget(1500);

    [SharedDataFact("data/fixtures")]
    public async Task Webhooks_MutatedSignedDeliveries_NeverAnswer5xx()
    {
        await using var server = await FuzzServer.StartAsync();
        var github = Fixtures("github/workflow_job", "github/arc");
        var gitlab = Fixtures("gitlab");
        var fuzzer = new Fuzzer(Seed);
        var failures = new List<FuzzFailure>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        // Made in order from the seed, sent four at a time (the answers do not depend on the order).
        for (var batch = 0; batch < Inputs; batch += 4)
        {
            var requests = new List<(int Index, bool IsGitHub, byte[] Body, HttpRequestMessage Request)>();
            for (var i = batch; i < Math.Min(batch + 4, Inputs); i++)
            {
                var isGitHub = i % 2 == 0;
                var body = fuzzer.Mutate(isGitHub ? github[fuzzer.Next(github.Count)] : gitlab[fuzzer.Next(gitlab.Count)]);
                var request = new HttpRequestMessage(HttpMethod.Post, isGitHub ? "/webhooks/github/github" : "/webhooks/gitlab/gitlab") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (isGitHub)
                {
                    request.Headers.Add("X-GitHub-Event", "workflow_job");
                    request.Headers.Add("X-GitHub-Delivery", $"fuzz-{i}");
                    request.Headers.Add(EmulatorWebhooks.SignatureHeader, EmulatorWebhooks.Sign(FuzzServer.GitHubSecret, body));
                }
                else
                {
                    request.Headers.Add("X-Gitlab-Event", "Job Hook");
                    request.Headers.Add("X-Gitlab-Token", FuzzServer.GitLabHookToken);
                    if (fuzzer.Next(2) == 0)
                    {
                        request.Headers.Add("X-Gitlab-Event-UUID", $"fuzz-{i}");
                    }
                }

                requests.Add((i, isGitHub, body, request));
            }

            var answers = await Task.WhenAll(requests.Select(r => CheckAsync(server.Client, r.Request)));
            for (var k = 0; k < requests.Count; k++)
            {
                requests[k].Request.Dispose();
                if (answers[k] is { } problem)
                {
                    failures.Add(new FuzzFailure(requests[k].IsGitHub ? "POST /webhooks/github" : "POST /webhooks/gitlab", Seed, requests[k].Index, problem, requests[k].Body));
                }
            }
        }

        output.WriteLine($"webhooks: {Inputs} deliveries in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s, {failures.Count} answered 5xx or without a message");
        Assert.True(failures.Count == 0, FuzzFailure.Summarise(failures, Inputs));
    }

    [Fact]
    public async Task AdminApi_RandomAndMutatedBodiesAndNames_NeverAnswer5xx()
    {
        await using var server = await FuzzServer.StartAsync();
        var fuzzer = new Fuzzer(Seed + 1);
        var valid = Encoding.UTF8.GetBytes("""{"reason":"maintenance window"}""");
        var failures = new List<FuzzFailure>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < Inputs; i++)
        {
            // No NUL: Kestrel refuses a request target holding one (400, no body) before Drover sees the request.
            var name = fuzzer.Next(3) == 0 ? "linux" : fuzzer.RandomName().Replace("\0", string.Empty, StringComparison.Ordinal);
            var path = (i % 4) switch
            {
                0 => "/api/v1/reload",
                1 => $"/api/v1/pools/{Uri.EscapeDataString(name)}/drain",
                2 => $"/api/v1/pools/{Uri.EscapeDataString(name)}/resume",
                _ => $"/api/v1/runners/{Uri.EscapeDataString(name)}/delete",
            };
            var body = fuzzer.Next(10) switch
            {
                0 => [],
                < 5 => fuzzer.Mutate(valid),
                _ => fuzzer.RandomJson("reason"),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(fuzzer.Next(4) == 0 ? "text/plain" : "application/json");
            if (await CheckAsync(server.Client, request) is { } problem)
            {
                failures.Add(new FuzzFailure($"POST {path.Split('/')[3]}/…/{path.Split('/')[^1]}", Seed + 1, i, problem, body));
            }
        }

        output.WriteLine($"admin API: {Inputs} requests in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s, {failures.Count} answered 5xx or without a message");
        Assert.True(failures.Count == 0, FuzzFailure.Summarise(failures, Inputs));
    }

    /// <summary>Null when the answer is right for any input: below 500, and a 400 or 413 with an error message.</summary>
    private static async Task<string?> CheckAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            return $"answered {status}";
        }

        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge && !HasError(text))
        {
            return $"answered {status} without an error message ({(text.Length == 0 ? "empty body" : text[..Math.Min(text.Length, 60)])}, {response.Content.Headers.ContentType?.MediaType ?? "no content type"}) to {request.RequestUri}";
        }

        return null;
    }

    private static bool HasError(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String && error.GetString()!.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static List<byte[]> Fixtures(params string[] folders) =>
        [.. folders.SelectMany(f => Directory.GetFiles(SharedData.Folder(Path.Combine("data/fixtures", f)) ?? throw new InvalidOperationException(SharedData.MissingMessage("data/fixtures/" + f)), "*.json").Order(StringComparer.Ordinal)).Select(File.ReadAllBytes)];
}
