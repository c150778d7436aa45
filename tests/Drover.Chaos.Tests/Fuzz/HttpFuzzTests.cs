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
/// must be below 500, and a refusal of the input (400, 413) must say what is wrong. The inputs are made one after the
/// other from the seed (the same seed gives the same inputs); deliveries are sent <see cref="DeliveriesInFlight"/> at a
/// time, API calls one after the other (a drain and a resume answer by the order they come in, so a failure replays
/// exactly from its seed and index; sixteen in flight made that run no faster). CI: 1,500 inputs per target;
/// <c>DROVER_FUZZ_INPUTS</c> sets the count.
/// </summary>
public sealed class HttpFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261208;

    /// <summary>
    /// Webhook deliveries in flight at once, as a forge's burst arrives (whether an answer is right does not depend on
    /// the order). No batches: a slot is refilled as soon as its answer is checked. Measured on 2 shared cores, 100,000
    /// deliveries: 894/s four at a time in batches, 1,203–1,726/s with this window; the run is bound by CPU (making the
    /// inputs and serving them), so more in flight gains nothing (docs/reliability.md).
    /// </summary>
    private const int DeliveriesInFlight = 16;

    [SharedDataFact("data/fixtures")]
    public async Task Webhooks_MutatedSignedDeliveries_NeverAnswer5xx()
    {
        await using var server = await FuzzServer.StartAsync();
        var github = Fixtures("github/workflow_job", "github/arc");
        var gitlab = Fixtures("gitlab");
        var fuzzer = new Fuzzer(Seed);
        var run = await SendAsync(server.Client, "webhooks", DeliveriesInFlight, i =>
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

            return new FuzzRequest(isGitHub ? "POST /webhooks/github" : "POST /webhooks/gitlab", Seed, body, request);
        });

        Assert.True(run.Failures.Count == 0, FuzzFailure.Summarise(run.Failures, run.Inputs));

        // The fuzz reaches the store and the refusals both: mutated payloads are stored (202) or refused (400).
        Assert.True(run.Answered(HttpStatusCode.Accepted) > 0 && run.Answered(HttpStatusCode.BadRequest) > 0, run.Statuses);
    }

    [Fact]
    public async Task AdminApi_RandomAndMutatedBodiesAndNames_NeverAnswer5xx()
    {
        await using var server = await FuzzServer.StartAsync();
        var fuzzer = new Fuzzer(Seed + 1);
        var valid = Encoding.UTF8.GetBytes("""{"reason":"maintenance window"}""");
        var run = await SendAsync(server.Client, "admin API", 1, i =>
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
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(fuzzer.Next(4) == 0 ? "text/plain" : "application/json");
            return new FuzzRequest($"POST {path.Split('/')[3]}/…/{path.Split('/')[^1]}", Seed + 1, body, request);
        });

        Assert.True(run.Failures.Count == 0, FuzzFailure.Summarise(run.Failures, run.Inputs));

        // Accepted calls (drain, resume: 202) and refused bodies (400) both occur, so both paths are fuzzed.
        Assert.True(run.Answered(HttpStatusCode.Accepted) > 0 && run.Answered(HttpStatusCode.BadRequest) > 0, run.Statuses);
    }

    /// <summary>
    /// Makes <see cref="Fuzzer.Budget"/> requests with <paramref name="make"/>, in index order on this flow (so the seed
    /// alone decides them), and sends them <paramref name="inFlight"/> at a time; every answer is checked as it comes.
    /// </summary>
    private async Task<FuzzRun> SendAsync(HttpClient client, string target, int inFlight, Func<int, FuzzRequest> make)
    {
        var inputs = Fuzzer.Budget(1500);
        var run = new FuzzRun(inputs);
        using var slots = new SemaphoreSlim(inFlight);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var making = TimeSpan.Zero;
        for (var i = 0; i < inputs; i++)
        {
            await slots.WaitAsync();
            var makingStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var request = make(i);
            making += System.Diagnostics.Stopwatch.GetElapsedTime(makingStarted);
            _ = SendOneAsync(client, run, i, request, slots);
        }

        for (var k = 0; k < inFlight; k++)
        {
            await slots.WaitAsync();
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        output.WriteLine($"{target}: {inputs} requests in {seconds:F1} s ({inputs / seconds:F0}/s, {inFlight} in flight; {making.TotalSeconds:F1} s of it making the inputs), {run.Failures.Count} answered 5xx, without a message or not at all; {run.Statuses}");
        return run;
    }

    private static async Task SendOneAsync(HttpClient client, FuzzRun run, int index, FuzzRequest fuzz, SemaphoreSlim slots)
    {
        try
        {
            var (status, problem) = await CheckAsync(client, fuzz.Request);
            run.Count(status);
            if (problem is not null)
            {
                run.Fail(new FuzzFailure(fuzz.Target, fuzz.Seed, index, problem, fuzz.Body));
            }
        }
        catch (Exception e)
        {
            // No answer (a reset, a timeout) is mishandling too; and nothing may escape a request nobody awaits.
            run.Fail(new FuzzFailure(fuzz.Target, fuzz.Seed, index, $"no answer: {e.GetType().Name}: {e.Message}", fuzz.Body));
        }
        finally
        {
            fuzz.Request.Dispose();
            slots.Release();
        }
    }

    /// <summary>
    /// The answer's status, and null when it is right for any input (below 500, and a 400 or 413 with an error message),
    /// else what is wrong.
    /// </summary>
    private static async Task<(int Status, string? Problem)> CheckAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            return (status, $"answered {status}");
        }

        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge && !HasError(text))
        {
            return (status, $"answered {status} without an error message ({(text.Length == 0 ? "empty body" : text[..Math.Min(text.Length, 60)])}, {response.Content.Headers.ContentType?.MediaType ?? "no content type"}) to {request.RequestUri}");
        }

        return (status, null);
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
