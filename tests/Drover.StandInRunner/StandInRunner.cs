using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Drover.Testing.GitHub;

/// <summary>
/// Stands in for <c>./run.sh --jitconfig ENCODED</c>: decodes the JIT config, opens a session with the emulator it
/// names, takes one job its labels and scope allow (the emulator sends <c>in_progress</c>), works for the job's
/// duration, reports it done (<c>completed</c>) and exits. Cancelling it (its instance deleted) ends the session.
/// </summary>
public static class StandInRunner
{
    private static readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Runs one ephemeral runner to its end; returns the job id it ran, or null when cancelled before one.</summary>
    public static async Task<long?> RunAsync(string encodedJitConfig, CancellationToken cancellationToken, TimeSpan? pollInterval = null)
    {
        var config = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encodedJitConfig)))!;
        if (config["url"] is null && config[".runner"] is not null)
        {
            // Only the runner's files, as an instance rebuilds them from GARM's metadata endpoints.
            var runnerFile = File(config, ".runner");
            var credentials = File(config, ".credentials");
            config = new JsonObject
            {
                ["url"] = runnerFile["serverUrl"]!.GetValue<string>(),
                ["runner_id"] = runnerFile["agentId"]!.GetValue<long>(),
                ["secret"] = credentials["data"]!["clientId"]!.GetValue<string>(),
            };
        }

        var root = new Uri(config["url"]!.GetValue<string>());
        var identity = new { runner_id = config["runner_id"]!.GetValue<long>(), secret = config["secret"]!.GetValue<string>() };
        using (var session = await _http.PostAsJsonAsync(new Uri(root, "/_emulator/runner/session"), new { identity.runner_id, identity.secret, pid = Environment.ProcessId }, cancellationToken))
        {
            if (session.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"the emulator refused the JIT config ({(int)session.StatusCode})");
            }
        }

        try
        {
            while (true)
            {
                using var acquire = await _http.PostAsJsonAsync(new Uri(root, "/_emulator/runner/acquire"), identity, cancellationToken);
                if (acquire.StatusCode == HttpStatusCode.OK)
                {
                    var job = (await acquire.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!;
                    var jobId = job["job_id"]!.GetValue<long>();

                    // Once a job is taken the runner finishes it, as the real runner does.
                    await Task.Delay(TimeSpan.FromMilliseconds(job["duration_ms"]!.GetValue<long>()), CancellationToken.None);
                    using var done = await _http.PostAsJsonAsync(new Uri(root, "/_emulator/runner/complete"), new { identity.runner_id, identity.secret, job_id = jobId }, CancellationToken.None);
                    return jobId;
                }

                await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        finally
        {
            using var exit = await _http.PostAsJsonAsync(new Uri(root, "/_emulator/runner/exit"), identity, CancellationToken.None);
        }
    }

    private static JsonNode File(JsonNode config, string name) =>
        JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(config[name]!.GetValue<string>())))!;

}
