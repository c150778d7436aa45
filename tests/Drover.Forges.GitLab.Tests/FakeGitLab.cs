using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.Forges.GitLab.Tests;

/// <summary>
/// An in-memory GitLab API v4 (an <see cref="HttpMessageHandler"/>) for the calls the forge makes: groups and their
/// projects, pending and running jobs with tags, runner creation with <c>glrt-</c> tokens, runner lists and deletion,
/// pagination by <c>X-Next-Page</c> (<see cref="PageSize"/> per page whatever is asked), rate-limit headers and
/// scripted 429s. Checks <c>PRIVATE-TOKEN</c>.
/// </summary>
internal sealed class FakeGitLab : HttpMessageHandler
{
    public const string Token = "glpat-fake-token";

    private long _nextRunner = 500;

    public ConcurrentQueue<string> Requests { get; } = new();

    public Dictionary<string, long> Groups { get; } = new(StringComparer.Ordinal) { ["acme"] = 10 };

    public Dictionary<long, (long Group, string Path)> Projects { get; } = new() { [101] = (10, "acme/api"), [102] = (10, "acme/web") };

    public List<(long Id, long Project, string Status, string[] Tags, string? Runner)> Jobs { get; } = [];

    /// <summary>Jobs whose records carry a <c>status</c> that is a number: a record a client cannot read.</summary>
    public HashSet<long> UnreadableJobs { get; } = [];

    public ConcurrentDictionary<long, JsonObject> Runners { get; } = new();

    public int PageSize { get; set; } = 2;

    /// <summary>The ref of a job by id (<c>ref</c>, <c>tag</c>, its pipeline's <c>source</c>); <c>main</c> from a push when not listed. Every project's default branch is <c>main</c>.</summary>
    public Dictionary<long, (string Ref, bool Tag, string Source)> JobRefs { get; } = [];

    /// <summary>The next this many requests are answered 500.</summary>
    public int ServerErrors { get; set; }

    /// <summary>The next this many requests are answered 429 with Retry-After: 1.</summary>
    public int TooManyRequests { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath["/api/v4/".Length..];
        var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
        Requests.Enqueue($"{request.Method} {Uri.UnescapeDataString(path)}");
        if (!request.Headers.TryGetValues("PRIVATE-TOKEN", out var token) || token.Single() != Token)
        {
            return Json(HttpStatusCode.Unauthorized, new JsonObject { ["message"] = "401 Unauthorized" });
        }

        if (ServerErrors > 0)
        {
            ServerErrors--;
            return Json(HttpStatusCode.InternalServerError, new JsonObject { ["message"] = "500 Internal Server Error" });
        }

        if (TooManyRequests > 0)
        {
            TooManyRequests--;
            var refused = Json(HttpStatusCode.TooManyRequests, new JsonObject { ["message"] = "Retry later" });
            refused.Headers.Add("Retry-After", "1");
            refused.Headers.Add("RateLimit-Remaining", "0");
            return refused;
        }

        var parts = path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        var body = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
        return (request.Method.Method, parts) switch
        {
            ("GET", ["groups", var g]) when GroupId(g) is { } id => Json(HttpStatusCode.OK, new JsonObject { ["id"] = id, ["full_path"] = g }),
            ("GET", ["projects", var p]) => Json(HttpStatusCode.OK, new JsonObject { ["id"] = ProjectId(p), ["path_with_namespace"] = p, ["default_branch"] = "main" }),
            ("GET", ["groups", var g, "projects"]) when GroupId(g) is { } id => Page(query, Projects.Where(p => p.Value.Group == id).Select(p => (JsonNode)new JsonObject { ["id"] = p.Key, ["path_with_namespace"] = p.Value.Path })),
            ("GET", ["projects", var p, "jobs"]) => Page(query, Jobs.Where(j => j.Project == ProjectId(p) && query.GetValues("scope[]")!.Contains(j.Status)).Select(Job)),
            ("GET", ["projects", var p, "jobs", var j]) => Jobs.Where(x => x.Project == ProjectId(p) && x.Id.ToString() == j).Select(x => Json(HttpStatusCode.OK, Job(x))).FirstOrDefault() ?? NotFound(),
            ("POST", ["user", "runners"]) => CreateRunner(body!.AsObject()),
            ("GET", ["groups", var g, "runners"]) when GroupId(g) is { } id => Page(query, Runners.Values.Where(r => (long?)r["group_id"] == id).Select(r => r.DeepClone())),
            ("GET", ["runners", var r, "jobs"]) => Json(HttpStatusCode.OK, new JsonArray([.. Jobs.Where(j => j.Status == "running" && j.Runner == (string?)Runners.GetValueOrDefault(long.Parse(r))?["description"]).Select(Job)])),
            ("DELETE", ["runners", var r]) => Runners.TryRemove(long.Parse(r), out _) ? new HttpResponseMessage(HttpStatusCode.NoContent) : NotFound(),
            _ => NotFound(),
        };
    }

    private long? GroupId(string pathOrId) => long.TryParse(pathOrId, out var id) ? id : Groups.TryGetValue(pathOrId, out id) ? id : null;

    private long ProjectId(string pathOrId) => long.TryParse(pathOrId, out var id) ? id : Projects.Single(p => p.Value.Path == pathOrId).Key;

    private JsonNode Job((long Id, long Project, string Status, string[] Tags, string? Runner) job) => new JsonObject
    {
        ["id"] = job.Id,
        ["status"] = UnreadableJobs.Contains(job.Id) ? 7 : job.Status,
        ["tag_list"] = new JsonArray([.. job.Tags.Select(t => (JsonNode)t)]),
        ["created_at"] = "2026-11-24T10:00:00.000Z",
        ["started_at"] = job.Status is "success" or "failed" or "running" ? "2026-11-24T10:00:30.000Z" : null,
        ["finished_at"] = job.Status is "success" or "failed" ? "2026-11-24T10:02:30.000Z" : null,
        ["web_url"] = $"https://gitlab.example.com/{Projects[job.Project].Path}/-/jobs/{job.Id}",
        ["pipeline"] = new JsonObject { ["id"] = 9000 + job.Project, ["source"] = JobRefs.TryGetValue(job.Id, out var told) ? told.Source : "push" },
        ["ref"] = JobRefs.TryGetValue(job.Id, out var jobRef) ? jobRef.Ref : "main",
        ["tag"] = JobRefs.TryGetValue(job.Id, out var tagged) && tagged.Tag,
        ["runner"] = job.Runner is null ? null : new JsonObject { ["description"] = job.Runner },
    };

    /// <summary>The body of the last runner creation.</summary>
    public JsonObject? LastRunnerBody { get; private set; }

    private HttpResponseMessage CreateRunner(JsonObject body)
    {
        LastRunnerBody = body;
        var id = Interlocked.Increment(ref _nextRunner);
        Runners[id] = new JsonObject
        {
            ["id"] = id,
            ["description"] = (string?)body["description"],
            ["status"] = "never_contacted",
            ["runner_type"] = (string?)body["runner_type"],
            ["group_id"] = body["group_id"]?.DeepClone(),
            ["project_id"] = body["project_id"]?.DeepClone(),
            ["tag_list"] = (string?)body["tag_list"],
            ["run_untagged"] = (bool?)body["run_untagged"],
        };
        return Json(HttpStatusCode.Created, new JsonObject { ["id"] = id, ["token"] = $"glrt-{id}-secret", ["token_expires_at"] = null });
    }

    private HttpResponseMessage Page(System.Collections.Specialized.NameValueCollection query, IEnumerable<JsonNode> items)
    {
        var all = items.ToList();
        var page = int.TryParse(query["page"], out var p) ? p : 1;
        var slice = all.Skip((page - 1) * PageSize).Take(PageSize).ToList();
        var response = Json(HttpStatusCode.OK, new JsonArray([.. slice.Select(i => i.DeepClone())]));
        response.Headers.Add("X-Total", all.Count.ToString());
        response.Headers.Add("X-Next-Page", page * PageSize < all.Count ? (page + 1).ToString() : string.Empty);
        response.Headers.Add("RateLimit-Remaining", "1999");
        return response;
    }

    private static HttpResponseMessage NotFound() => Json(HttpStatusCode.NotFound, new JsonObject { ["message"] = "404 Not found" });

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}
