using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Testing.GitLab;

/// <summary>
/// An in-process GitLab (API v4) on 127.0.0.1 (Kestrel, port 0) for the calls Drover's GitLab forge makes and the ones a
/// runner makes: groups and their projects, pending and running jobs with tags (paginated by <c>X-Next-Page</c> and
/// <c>X-Total</c>), runner creation with <c>glrt-</c> tokens, runner lists with GitLab's statuses, deletion, and job
/// assignment the way GitLab does it — a runner polling <c>POST /api/v4/jobs/request</c> with its token gets the oldest
/// pending job of its group whose every tag it has (untagged jobs only with <c>run_untagged</c>), then reports it with
/// <c>PUT /api/v4/jobs/:id</c>; job retries (a new job in the same pipeline, refused for a job that has not ended) and
/// pipeline job lists (the latest job of each name unless <c>include_retried</c>). Job hooks (<c>X-Gitlab-Token</c>, <c>X-Gitlab-Event-UUID</c>) go to <see cref="HookTarget"/>;
/// injected 5xx, 429 with <c>Retry-After</c>, and latency.
/// </summary>
public sealed class GitLabEmulator : IAsyncDisposable
{
    private static readonly HttpClient Hooks = new() { Timeout = TimeSpan.FromSeconds(10) };
    private WebApplication _app = null!;
    private readonly Lock _sync = new();
    private readonly Dictionary<long, EmulatedGitLabJob> _jobs = [];
    private readonly Dictionary<long, EmulatedGitLabRunner> _runners = [];
    private long _nextJob = 7000;
    private long _nextRunner = 300;
    private int _fail;
    private int _tooMany;
    private readonly List<(DateTimeOffset At, string Call, TimeSpan RetryAfter)> _refusals = [];
    private readonly List<string> _apiRequests = [];
    private long _windowIndex = -1;
    private int _windowObserved;

    private GitLabEmulator(string token)
    {
        Token = token;
    }

    /// <summary>The access token the API accepts in <c>PRIVATE-TOKEN</c>.</summary>
    public string Token { get; }

    /// <summary>The instance's URL (the forge's <c>url</c>).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Groups by path.</summary>
    public Dictionary<string, long> Groups { get; } = new(StringComparer.Ordinal) { ["acme"] = 10 };

    /// <summary>Projects by id: group and path.</summary>
    public Dictionary<long, (long Group, string Path)> Projects { get; } = new() { [101] = (10, "acme/api"), [102] = (10, "acme/web") };

    /// <summary>Where job hooks go; none are sent when null.</summary>
    public Uri? HookTarget { get; set; }

    /// <summary>The hook's secret token.</summary>
    public string HookToken { get; set; } = string.Empty;

    /// <summary>Extra latency before every API answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Items per page, whatever the client asks for.</summary>
    public int PageSize { get; set; } = 20;

    /// <summary>
    /// GitLab.com's limit on authenticated API traffic: requests per user (access token) per <see cref="RateLimitWindow"/>
    /// (GitLab.com: 2,000 a minute), every endpoint counting alike; runner calls (<c>/api/v4/jobs</c>, with a runner's
    /// token) are not counted. Windows are fixed, aligned to multiples of their length (as GitLab's throttle counts them).
    /// Every counted answer carries <c>RateLimit-Limit</c>, <c>RateLimit-Observed</c>, <c>RateLimit-Remaining</c>,
    /// <c>RateLimit-Reset</c> (Unix seconds) and <c>RateLimit-ResetTime</c>; a request past the limit is answered 429
    /// <c>Retry later</c> with <c>Retry-After</c> (whole seconds until the window ends) and noted in
    /// <see cref="RateLimitRefusals"/>. 0: no limit.
    /// </summary>
    public int RequestsPerWindow { get; set; }

    /// <summary>The clock of <see cref="RequestsPerWindow"/>'s windows.</summary>
    public TimeProvider RateLimitClock { get; set; } = TimeProvider.System;

    /// <summary>The window of <see cref="RequestsPerWindow"/> (GitLab.com: a minute).</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests <see cref="RequestsPerWindow"/> refused: when, which call, and the <c>Retry-After</c> given.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Call, TimeSpan RetryAfter)> RateLimitRefusals
    {
        get
        {
            lock (_sync)
            {
                return [.. _refusals];
            }
        }
    }

    /// <summary>Every API request answered (runner calls left out), as <c>METHOD /path status</c>.</summary>
    public IReadOnlyList<string> ApiRequests
    {
        get
        {
            lock (_sync)
            {
                return [.. _apiRequests];
            }
        }
    }

    /// <summary>Starts an emulator accepting <paramref name="token"/>.</summary>
    public static async Task<GitLabEmulator> StartAsync(string token)
    {
        var emulator = new GitLabEmulator(token);
        (emulator._app, emulator.Url) = await LoopbackApp.StartAsync(emulator.Map);
        return emulator;
    }

    /// <summary>Queues a pending job (and sends its hook).</summary>
    public long Queue(long project, IReadOnlyList<string> tags, TimeSpan duration, string name = "build")
    {
        EmulatedGitLabJob job;
        lock (_sync)
        {
            var id = ++_nextJob;
            job = new EmulatedGitLabJob { Id = id, Project = project, Tags = tags, Duration = duration, Name = name, Pipeline = 9000 + id, CreatedAt = DateTimeOffset.UtcNow };
            _jobs[job.Id] = job;
        }

        Hook(job);
        return job.Id;
    }

    /// <summary>
    /// The runner's machine is gone under its job (a spot interruption, a killed process): it stops contacting GitLab
    /// and, with <paramref name="failJob"/>, GitLab gives up on the job at once — failed with
    /// <c>runner_system_failure</c>, its hook sent — as it does once the runner has been silent past its timeout.
    /// </summary>
    /// <returns>The job the runner was running, or null.</returns>
    public long? LoseRunner(long runnerId, bool failJob = true)
    {
        EmulatedGitLabJob? job;
        lock (_sync)
        {
            if (!_runners.TryGetValue(runnerId, out var runner))
            {
                return null;
            }

            runner.ContactedAt = DateTimeOffset.MinValue;
            job = _jobs.Values.FirstOrDefault(j => j.RunnerId == runnerId && j.Status == "running");
            if (job is null || !failJob)
            {
                return job?.Id;
            }

            job.Status = "failed";
            job.FailureReason = "runner_system_failure";
            job.FinishedAt = DateTimeOffset.UtcNow;
        }

        Hook(job);
        return job.Id;
    }

    /// <summary>Registers a group runner directly (as if created through the API) and returns its id.</summary>
    public long AddRunner(long group, string description, IReadOnlyList<string> tags)
    {
        lock (_sync)
        {
            var id = ++_nextRunner;
            _runners[id] = new EmulatedGitLabRunner
            {
                Id = id, Description = description, Token = $"glrt-{id}-{Guid.NewGuid():N}", Type = "group_type", GroupId = group, Tags = tags,
                ContactedAt = DateTimeOffset.UtcNow,
            };
            return id;
        }
    }

    /// <summary>The runner takes the oldest pending job it can run, as its <c>POST /jobs/request</c> would (hook sent); null when none.</summary>
    public long? TakeJob(long runnerId)
    {
        EmulatedGitLabJob? job;
        lock (_sync)
        {
            if (!_runners.TryGetValue(runnerId, out var runner))
            {
                return null;
            }

            job = _jobs.Values.Where(j => j.Status == "pending" && Covers(runner, j)).OrderBy(j => j.Id).FirstOrDefault();
            if (job is null)
            {
                return null;
            }

            job.Status = "running";
            job.RunnerId = runner.Id;
            job.RunnerDescription = runner.Description;
            job.Takes++;
            job.StartedAt = DateTimeOffset.UtcNow;
        }

        Hook(job);
        return job.Id;
    }

    /// <summary>Every job.</summary>
    public IReadOnlyList<EmulatedGitLabJob> Jobs()
    {
        lock (_sync)
        {
            return [.. _jobs.Values];
        }
    }

    /// <summary>Every registered runner.</summary>
    public IReadOnlyList<EmulatedGitLabRunner> Runners()
    {
        lock (_sync)
        {
            return [.. _runners.Values];
        }
    }

    /// <summary>The next <paramref name="count"/> API calls are answered 500.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _fail, count);

    /// <summary>The next <paramref name="count"/> API calls are answered 429 with <c>Retry-After: 1</c>.</summary>
    public void RateLimitNext(int count) => Interlocked.Exchange(ref _tooMany, count);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>
    /// Counts the request in its window and sets the <c>RateLimit-*</c> headers; when it does not fit, notes the refusal
    /// and returns the time until the window ends.
    /// </summary>
    private TimeSpan? Throttle(HttpContext context)
    {
        var now = RateLimitClock.GetUtcNow();
        var ticks = RateLimitWindow.Ticks;
        var index = (now - DateTimeOffset.UnixEpoch).Ticks / ticks;
        var end = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks((index + 1) * ticks);
        lock (_sync)
        {
            if (index != _windowIndex)
            {
                (_windowIndex, _windowObserved) = (index, 0);
            }

            _windowObserved++;
            var headers = context.Response.Headers;
            headers["RateLimit-Name"] = "throttle_authenticated_api";
            headers["RateLimit-Limit"] = RequestsPerWindow.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Observed"] = _windowObserved.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Remaining"] = Math.Max(0, RequestsPerWindow - _windowObserved).ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Reset"] = end.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-ResetTime"] = end.ToString("R", CultureInfo.InvariantCulture);
            if (_windowObserved <= RequestsPerWindow)
            {
                return null;
            }

            var retryAfter = end - now;
            _refusals.Add((now, $"{context.Request.Method} {context.Request.Path}", retryAfter));
            return retryAfter;
        }
    }

    private void Note(HttpContext context)
    {
        lock (_sync)
        {
            _apiRequests.Add($"{context.Request.Method} {context.Request.Path} {context.Response.StatusCode}");
        }
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency);
            }

            var runnerCall = context.Request.Path.StartsWithSegments("/api/v4/jobs");
            if (!runnerCall && context.Request.Headers["PRIVATE-TOKEN"] != Token)
            {
                await Write(context, 401, new JsonObject { ["message"] = "401 Unauthorized" });
                return;
            }

            if (Take(ref _fail))
            {
                await Write(context, 500, new JsonObject { ["message"] = "500 Internal Server Error" });
                return;
            }

            if (Take(ref _tooMany))
            {
                context.Response.Headers["Retry-After"] = "1";
                context.Response.Headers["RateLimit-Remaining"] = "0";
                await Write(context, 429, new JsonObject { ["message"] = "Retry later" });
                return;
            }

            if (runnerCall)
            {
                await next(context);
                return;
            }

            if (RequestsPerWindow > 0 && Throttle(context) is { } retryAfter)
            {
                context.Response.Headers["Retry-After"] = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.Response.StatusCode = 429;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("Retry later\n");
                Note(context);
                return;
            }

            if (RequestsPerWindow == 0)
            {
                context.Response.Headers["RateLimit-Remaining"] = "1999";
            }

            await next(context);
            Note(context);
        });

        var api = app.MapGroup("/api/v4");
        api.MapGet("/groups/{group}", (HttpContext c, string group) => GroupId(group) is { } id ? Write(c, 200, new JsonObject { ["id"] = id }) : NotFound(c));
        api.MapGet("/groups/{group}/projects", (HttpContext c, string group) =>
        {
            var id = GroupId(group);
            return Page(c, Projects.Where(p => p.Value.Group == id).Select(p => (JsonNode)new JsonObject { ["id"] = p.Key, ["path_with_namespace"] = p.Value.Path }));
        });
        api.MapGet("/projects/{project}/jobs", (HttpContext c, string project) =>
        {
            var id = ProjectId(project);
            var scopes = c.Request.Query["scope[]"].ToArray();
            lock (_sync)
            {
                return Page(c, _jobs.Values.Where(j => j.Project == id && scopes.Contains(j.Status)).OrderBy(j => j.Id).Select(JobJson).ToList());
            }
        });
        api.MapGet("/projects/{project}/jobs/{job:long}", (HttpContext c, string project, long job) =>
        {
            lock (_sync)
            {
                return _jobs.TryGetValue(job, out var found) && found.Project == ProjectId(project) ? Write(c, 200, JobJson(found)) : NotFound(c);
            }
        });
        api.MapPost("/projects/{project}/jobs/{job:long}/retry", Retry);
        api.MapPost("/projects/{project}/jobs/{job:long}/cancel", Cancel);
        api.MapGet("/projects/{project}/pipelines/{pipeline:long}/jobs", (HttpContext c, string project, long pipeline) =>
        {
            var id = ProjectId(project);
            var retried = c.Request.Query["include_retried"] == "true";
            lock (_sync)
            {
                return Page(c, _jobs.Values.Where(j => j.Project == id && j.Pipeline == pipeline && (retried || !j.Retried)).OrderBy(j => j.Id).Select(JobJson).ToList());
            }
        });
        api.MapPost("/user/runners", CreateRunner);
        api.MapGet("/groups/{group}/runners", (HttpContext c, string group) =>
        {
            var id = GroupId(group);
            lock (_sync)
            {
                return Page(c, _runners.Values.Where(r => r.GroupId == id).Select(RunnerJson).ToList());
            }
        });
        api.MapGet("/runners/{id:long}/jobs", (HttpContext c, long id) =>
        {
            lock (_sync)
            {
                return Write(c, 200, new JsonArray([.. _jobs.Values.Where(j => j.RunnerId == id && j.Status == "running").Select(JobJson)]));
            }
        });
        api.MapDelete("/runners/{id:long}", (HttpContext c, long id) =>
        {
            lock (_sync)
            {
                if (!_runners.Remove(id))
                {
                    return NotFound(c);
                }
            }

            c.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        api.MapPost("/jobs/request", RequestJob);
        api.MapPut("/jobs/{id:long}", UpdateJob);
    }

    /// <summary>
    /// GitLab's retry: a job that has ended (failed, canceled, success) gets a new pending job of the same name in the
    /// same pipeline, answered 201 with the new job; a job still pending or running is not retryable (403).
    /// </summary>
    private async Task Retry(HttpContext context, string project, long job)
    {
        EmulatedGitLabJob? retry;
        lock (_sync)
        {
            if (!_jobs.TryGetValue(job, out var old) || old.Project != ProjectId(project))
            {
                retry = null;
            }
            else if (old.Status is not ("failed" or "canceled" or "success"))
            {
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/json";
                retry = null;
            }
            else
            {
                retry = new EmulatedGitLabJob
                {
                    Id = ++_nextJob, Project = old.Project, Tags = old.Tags, Duration = old.Duration, Name = old.Name, Pipeline = old.Pipeline,
                    CreatedAt = DateTimeOffset.UtcNow,
                };
                old.Retried = true;
                _jobs[retry.Id] = retry;
            }
        }

        if (retry is null)
        {
            await (context.Response.StatusCode == 403 ? Write(context, 403, new JsonObject { ["message"] = "403 Forbidden - Job is not retryable" }) : NotFound(context));
            return;
        }

        Hook(retry);
        await Write(context, 201, JobJson(retry));
    }

    /// <summary>
    /// GitLab's cancel: a pending or running job becomes <c>canceled</c> (hook sent); a finished one is left as it is.
    /// Either way the answer is 201 with the job.
    /// </summary>
    private async Task Cancel(HttpContext context, string project, long job)
    {
        EmulatedGitLabJob? found;
        var canceled = false;
        lock (_sync)
        {
            if (_jobs.TryGetValue(job, out found) && found.Project == ProjectId(project) && found.Status is "pending" or "running" or "created")
            {
                found.Status = "canceled";
                found.FinishedAt = DateTimeOffset.UtcNow;
                canceled = true;
            }
        }

        if (found is null || found.Project != ProjectId(project))
        {
            await NotFound(context);
            return;
        }

        if (canceled)
        {
            Hook(found);
        }

        JsonNode answer;
        lock (_sync)
        {
            answer = JobJson(found);
        }

        await Write(context, 201, answer);
    }

    private async Task CreateRunner(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        EmulatedGitLabRunner runner;
        lock (_sync)
        {
            var id = ++_nextRunner;
            runner = new EmulatedGitLabRunner
            {
                Id = id,
                Description = (string?)body["description"] ?? string.Empty,
                Token = $"glrt-{id}-{Guid.NewGuid():N}",
                Type = (string?)body["runner_type"] ?? "instance_type",
                GroupId = (long?)body["group_id"],
                ProjectId = (long?)body["project_id"],
                Tags = ((string?)body["tag_list"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                RunUntagged = (bool?)body["run_untagged"] ?? false,
            };
            _runners[id] = runner;
        }

        await Write(context, 201, new JsonObject { ["id"] = runner.Id, ["token"] = runner.Token, ["token_expires_at"] = null });
    }

    /// <summary>
    /// GitLab's assignment: the runner (by token) gets the oldest pending job of its scope whose every tag it has; an
    /// untagged job only when it runs untagged. 201 with the job, or 204 when there is none.
    /// </summary>
    private async Task RequestJob(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var token = (string?)body["token"];
        EmulatedGitLabJob? job;
        lock (_sync)
        {
            var runner = _runners.Values.FirstOrDefault(r => r.Token == token);
            if (runner is null)
            {
                context.Response.StatusCode = 403;
                return;
            }

            runner.ContactedAt = DateTimeOffset.UtcNow;
            job = _jobs.Values.Where(j => j.Status == "pending" && Covers(runner, j)).OrderBy(j => j.Id).FirstOrDefault();
            if (job is not null)
            {
                job.Status = "running";
                job.RunnerId = runner.Id;
                job.RunnerDescription = runner.Description;
                job.Takes++;
                job.StartedAt = DateTimeOffset.UtcNow;
            }
        }

        if (job is null)
        {
            context.Response.StatusCode = 204;
            return;
        }

        Hook(job);
        await Write(context, 201, new JsonObject { ["id"] = job.Id, ["token"] = job.JobToken, ["duration_ms"] = (long)job.Duration.TotalMilliseconds });
    }

    private async Task UpdateJob(HttpContext context, long id)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        EmulatedGitLabJob? job;
        lock (_sync)
        {
            if (!_jobs.TryGetValue(id, out job) || job.JobToken != (string?)body["token"])
            {
                context.Response.StatusCode = 403;
                return;
            }

            job.Status = (string?)body["state"] ?? "success";
            job.FinishedAt = DateTimeOffset.UtcNow;
        }

        Hook(job);
        context.Response.StatusCode = 200;
    }

    private bool Covers(EmulatedGitLabRunner runner, EmulatedGitLabJob job)
    {
        var inScope = runner.Type switch
        {
            "group_type" => Projects.TryGetValue(job.Project, out var p) && p.Group == runner.GroupId,
            "project_type" => job.Project == runner.ProjectId,
            _ => true,
        };
        return inScope && (job.Tags.Count == 0 ? runner.RunUntagged : job.Tags.All(t => runner.Tags.Contains(t, StringComparer.Ordinal)));
    }

    private void Hook(EmulatedGitLabJob job)
    {
        if (HookTarget is not { } target)
        {
            return;
        }

        JsonObject body;
        lock (_sync)
        {
            body = new JsonObject
            {
                ["object_kind"] = "build",
                ["build_id"] = job.Id,
                ["build_status"] = job.Status,
                ["build_created_at"] = Time(job.CreatedAt),
                ["build_started_at"] = job.StartedAt is { } s ? Time(s) : null,
                ["build_finished_at"] = job.FinishedAt is { } f ? Time(f) : null,
                ["project_id"] = job.Project,
                ["pipeline_id"] = job.Pipeline,
                ["build_name"] = job.Name,
                ["build_failure_reason"] = job.FailureReason,
                ["runner"] = job.RunnerId is { } r ? new JsonObject { ["id"] = r, ["description"] = job.RunnerDescription } : null,
                ["repository"] = new JsonObject { ["homepage"] = new Uri(Url, Projects[job.Project].Path).ToString() },
            };
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Gitlab-Event", "Job Hook");
        request.Headers.Add("X-Gitlab-Token", HookToken);
        request.Headers.Add("X-Gitlab-Event-UUID", Guid.NewGuid().ToString());
        try
        {
            using var _ = Hooks.Send(request);
        }
        catch (HttpRequestException)
        {
            // GitLab does not retry a failed hook either; polling catches up.
        }
    }

    private JsonNode JobJson(EmulatedGitLabJob job) => new JsonObject
    {
        ["id"] = job.Id,
        ["name"] = job.Name,
        ["status"] = job.Status,
        ["failure_reason"] = job.FailureReason,
        ["tag_list"] = new JsonArray([.. job.Tags.Select(t => (JsonNode)t)]),
        ["created_at"] = job.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        ["started_at"] = job.StartedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["finished_at"] = job.FinishedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["queued_duration"] = ((job.StartedAt ?? DateTimeOffset.UtcNow) - job.CreatedAt).TotalSeconds,
        ["web_url"] = new Uri(Url, $"{Projects[job.Project].Path}/-/jobs/{job.Id}").ToString(),
        ["pipeline"] = new JsonObject { ["id"] = job.Pipeline },
        ["runner"] = job.RunnerId is { } r ? new JsonObject { ["id"] = r, ["description"] = job.RunnerDescription } : null,
    };

    private JsonNode RunnerJson(EmulatedGitLabRunner runner) => new JsonObject
    {
        ["id"] = runner.Id,
        ["description"] = runner.Description,
        ["runner_type"] = runner.Type,
        ["status"] = runner.ContactedAt is not { } at ? "never_contacted" : DateTimeOffset.UtcNow - at < TimeSpan.FromSeconds(5) ? "online" : "offline",
    };

    private long? GroupId(string pathOrId) => long.TryParse(pathOrId, out var id) ? id : Groups.TryGetValue(Uri.UnescapeDataString(pathOrId), out id) ? id : null;

    private long? ProjectId(string pathOrId)
    {
        var path = Uri.UnescapeDataString(pathOrId);
        return long.TryParse(path, out var id) ? id : Projects.Where(p => p.Value.Path == path).Select(p => (long?)p.Key).FirstOrDefault();
    }

    private Task Page(HttpContext context, IEnumerable<JsonNode> items)
    {
        var all = items.ToList();
        var page = int.TryParse(context.Request.Query["page"], out var p) ? Math.Max(1, p) : 1;
        context.Response.Headers["X-Total"] = all.Count.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-Next-Page"] = page * PageSize < all.Count ? (page + 1).ToString(CultureInfo.InvariantCulture) : string.Empty;
        return Write(context, 200, new JsonArray([.. all.Skip((page - 1) * PageSize).Take(PageSize).Select(i => i.DeepClone())]));
    }

    private static bool Take(ref int counter)
    {
        while (true)
        {
            var left = Volatile.Read(ref counter);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static Task NotFound(HttpContext context) => Write(context, 404, new JsonObject { ["message"] = "404 Not found" });

    private static Task Write(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }
}
