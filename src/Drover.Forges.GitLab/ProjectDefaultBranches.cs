using System.Collections.Concurrent;
using Drover.Forges.GitLab.Api;
using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitLab;

/// <summary>
/// The default branch of each project (<c>GET /projects/:id</c>, <c>default_branch</c>), looked up once per project and
/// kept: a job's hook and record name its ref but not whether it is the default branch, which priority classes match.
/// A failed look-up leaves the job's ref kind unknown (the lowest priority class) and is tried again for the next job.
/// </summary>
internal sealed class ProjectDefaultBranches(GitLabApiClient client, string forge, ILogger logger)
{
    private const int MaxProjects = 10_000;

    private readonly ConcurrentDictionary<string, string?> _known = new(StringComparer.Ordinal);

    /// <summary>The default branch of <paramref name="project"/> (an id, or a URL-escaped path); null when it has none or the look-up failed.</summary>
    public async Task<string?> OfAsync(string project, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(project, out var known))
        {
            return known;
        }

        try
        {
            var found = await client.GetAsync($"projects/{project}", cancellationToken).ConfigureAwait(false);
            var branch = found.ValueKind == System.Text.Json.JsonValueKind.Object ? Webhooks.JobHookReader.Text(found, "default_branch") : null;
            if (_known.Count >= MaxProjects)
            {
                _known.Clear();
            }

            _known[project] = branch;
            return branch;
        }
        catch (Exception e) when (e is GitLabApiException or HttpRequestException or TimeoutException)
        {
            GitLabLog.DefaultBranchFailed(logger, forge, Uri.UnescapeDataString(project), e.Message);
            return null;
        }
    }
}
