using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Drover.Testing.GitLab;

/// <summary>
/// Stands in for <c>gitlab-runner run-single --max-builds 1</c>: asks <c>POST /api/v4/jobs/request</c> with its runner
/// token until it gets a job, works for the job's duration, reports it with <c>PUT /api/v4/jobs/:id</c> and exits.
/// </summary>
public static class GitLabStandInRunner
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Runs one job; returns its id, or null when cancelled before one.</summary>
    public static async Task<long?> RunAsync(Uri instance, string token, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var response = await Http.PostAsJsonAsync(new Uri(instance, "/api/v4/jobs/request"), new { token }, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var job = (await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!;
                    var id = job["id"]!.GetValue<long>();

                    // Once a job is taken it is finished, as the real runner does.
                    await Task.Delay(TimeSpan.FromMilliseconds(job["duration_ms"]!.GetValue<long>()), CancellationToken.None);
                    // The real runner retries its final update until GitLab takes it.
                    for (var attempt = 0; attempt < 50; attempt++)
                    {
                        using var done = await Http.PutAsJsonAsync(new Uri(instance, $"/api/v4/jobs/{id}"), new { token = job["token"]!.GetValue<string>(), state = "success" }, CancellationToken.None);
                        if (done.IsSuccessStatusCode)
                        {
                            return id;
                        }

                        await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                    }

                    throw new InvalidOperationException($"the instance did not take the result of job {id}");
                }

                if (response.StatusCode == HttpStatusCode.Forbidden)
                {
                    throw new InvalidOperationException("the instance refused the runner token (403)");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
