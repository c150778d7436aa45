using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.Testing.GitHub;

/// <summary>
/// An in-process GitHub on 127.0.0.1 (Kestrel, port 0) that speaks the REST calls Drover makes with GitHub's real
/// shapes (those of github/rest-api-description's examples in ../shared/data/fixtures/github/rest): self-hosted
/// runners (list with Link pagination, delete with 422 for a busy runner, JIT config, registration token), app
/// installation tokens (RS256 JWT checked against the app's key), workflow runs and jobs (ETag / If-None-Match → 304,
/// not counted against the rate limit), job re-runs (a new run attempt in which the job is queued again under a new id,
/// refused while the run is in progress), organisation repositories. It keeps a core rate limit with GitHub's headers,
/// injects 5xx, 403/429 refusals and latency on demand, and sends signed <c>workflow_job</c> webhooks (optionally
/// dropping or duplicating some). Stand-in runners (<c>StandInRunner</c> in tests/Drover.StandInRunner) talk to it over a private protocol
/// under <c>/_emulator/runner/</c> in place of the real runner's session API.
/// </summary>
public sealed partial class GitHubEmulator : IAsyncDisposable
{
    private readonly GitHubEmulatorOptions _options;
    private readonly WebApplication _app;
    private readonly Lock _sync = new();
    private readonly Dictionary<long, EmulatedRunner> _runners = [];
    private readonly Dictionary<long, EmulatedJob> _jobs = [];
    private readonly Dictionary<long, (string Repository, DateTimeOffset CreatedAt, List<long> Jobs)> _runs = [];
    private readonly Dictionary<long, int> _runAttempts = [];
    private readonly Dictionary<string, DateTimeOffset> _installationTokens = new(StringComparer.Ordinal);
    private readonly HashSet<string> _repositories = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _requests = [];
    private readonly List<long> _reruns = [];
    private readonly List<RunnerSession> _sessions = [];
    private readonly List<(long Id, string Name)> _minted = [];
    private readonly Dictionary<string, (DateTimeOffset Start, int Points)> _secondary = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset At, string Endpoint, TimeSpan RetryAfter)> _secondaryRefusals = [];
    private readonly EmulatorWebhooks _webhooks;
    private long _nextId = 1000;
    private int _remaining;
    private DateTimeOffset _resetAt;
    private int _notModified;
    private int _tokenExchanges;

    private GitHubEmulator(GitHubEmulatorOptions options, WebApplication app)
    {
        _options = options;
        _app = app;
        _runnerGroups[1] = "Default";
        _remaining = options.RateLimit;
        _resetAt = options.Time.GetUtcNow().AddHours(1);
        _webhooks = new EmulatorWebhooks(options.Seed);
    }

    /// <summary>Faults to inject; change at any time.</summary>
    public EmulatorFaults Faults { get; } = new();

    /// <summary>The REST API's base URL (with the GHES prefix when configured).</summary>
    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>The server's root URL.</summary>
    public Uri RootUrl { get; private set; } = null!;

    /// <summary>Webhook delivery (target, secret, loss, duplication) and its record.</summary>
    public EmulatorWebhooks Webhooks => _webhooks;

    /// <summary>
    /// The jobs re-run (<c>POST .../actions/jobs/{id}/rerun</c> carried out), one entry per re-run, whether or not its
    /// answer reached the caller (a lost answer is logged in <see cref="Requests"/> with its 5xx).
    /// </summary>
    public IReadOnlyList<long> Reruns
    {
        get
        {
            lock (_sync)
            {
                return [.. _reruns];
            }
        }
    }

    /// <summary>Requests the secondary rate limit refused (<see cref="GitHubEmulatorOptions.SecondaryPointsPerWindow"/>): when, which endpoint, and the <c>Retry-After</c> given.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Endpoint, TimeSpan RetryAfter)> SecondaryRefusals
    {
        get
        {
            lock (_sync)
            {
                return [.. _secondaryRefusals];
            }
        }
    }

    /// <summary>REST requests received, as <c>METHOD path status</c>.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_sync)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Every runner process that opened a session with its JIT config: runner, name and process id, in order.</summary>
    public IReadOnlyList<RunnerSession> Sessions
    {
        get
        {
            lock (_sync)
            {
                return [.. _sessions];
            }
        }
    }

    /// <summary>Every runner registration minted through <c>generate-jitconfig</c> (id and name), in order, whether the answer arrived or not.</summary>
    public IReadOnlyList<(long Id, string Name)> Minted
    {
        get
        {
            lock (_sync)
            {
                return [.. _minted];
            }
        }
    }

    /// <summary>Conditional GETs answered 304.</summary>
    public int NotModified => Volatile.Read(ref _notModified);

    /// <summary>Installation tokens issued.</summary>
    public int TokenExchanges => Volatile.Read(ref _tokenExchanges);

    /// <summary>Starts an emulator.</summary>
    public static async Task<GitHubEmulator> StartAsync(GitHubEmulatorOptions? options = null)
    {
        options ??= new GitHubEmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var emulator = new GitHubEmulator(options, app);
        app.Run(emulator.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        emulator.RootUrl = new Uri($"http://127.0.0.1:{address.Port}");
        emulator.ApiUrl = new Uri($"http://127.0.0.1:{address.Port}{options.PathPrefix}");
        return emulator;
    }

    /// <summary>Queues a workflow run of the given jobs in <paramref name="repository"/>; each job's <c>queued</c> webhook is sent.</summary>
    public IReadOnlyList<long> QueueRun(string repository, params (string Name, string[] Labels, TimeSpan Duration)[] jobs)
    {
        var now = _options.Time.GetUtcNow();
        var ids = new List<long>();
        lock (_sync)
        {
            var runId = ++_nextId;
            _repositories.Add(repository);
            _runs[runId] = (repository, now, ids);
            foreach (var (name, labels, duration) in jobs)
            {
                var job = new EmulatedJob { Id = ++_nextId, RunId = runId, Repository = repository, Labels = labels, Name = name, Duration = duration, CreatedAt = now };
                _jobs[job.Id] = job;
                ids.Add(job.Id);
                AssignToScaleSetLocked(job);
                _webhooks.Send("queued", Payload("queued", job));
            }
        }

        return ids;
    }

    /// <summary>
    /// The runner's machine is gone under its job (a spot interruption, a killed process): the registration goes offline
    /// and, with <paramref name="failJob"/>, GitHub gives up on the job at once — completed with conclusion
    /// <c>failure</c>, its webhook sent — as it does after it lost contact with the runner for a while. Without it the job
    /// stays in progress until <see cref="FailLostJob"/>.
    /// </summary>
    /// <returns>The job the runner was running, or null.</returns>
    public long? LoseRunner(long runnerId, bool failJob = true)
    {
        lock (_sync)
        {
            if (!_runners.TryGetValue(runnerId, out var runner))
            {
                return null;
            }

            runner.Online = false;
            var job = runner.JobId;
            if (failJob && job is { } id)
            {
                FailLostJobLocked(id);
            }

            return job;
        }
    }

    /// <summary>GitHub gives up on a job whose runner it lost: completed, conclusion <c>failure</c>, webhook sent.</summary>
    public void FailLostJob(long jobId)
    {
        lock (_sync)
        {
            FailLostJobLocked(jobId);
        }
    }

    /// <summary>An online runner (e.g. one from <see cref="AddRunner"/>) takes the oldest queued job it can run, as its session would; null when none.</summary>
    public EmulatedJob? TakeJob(long runnerId)
    {
        lock (_sync)
        {
            return _runners.TryGetValue(runnerId, out var runner) ? Acquire(runnerId, runner.Secret) : null;
        }
    }

    /// <summary>Adds a repository (for organisation listings) without runs.</summary>
    public void AddRepository(string repository)
    {
        lock (_sync)
        {
            _repositories.Add(repository);
        }
    }

    /// <summary>Snapshot of every job.</summary>
    public IReadOnlyList<EmulatedJob> Jobs()
    {
        lock (_sync)
        {
            return [.. _jobs.Values.OrderBy(j => j.Id)];
        }
    }

    /// <summary>Snapshot of every runner registration.</summary>
    public IReadOnlyList<EmulatedRunner> Runners()
    {
        lock (_sync)
        {
            return [.. _runners.Values.OrderBy(r => r.Id)];
        }
    }

    /// <summary>Sets the core rate limit's remaining budget and reset time.</summary>
    public void SetRateLimit(int remaining, DateTimeOffset resetAt)
    {
        lock (_sync)
        {
            _remaining = remaining;
            _resetAt = resetAt;
        }
    }

    /// <summary>Registers a runner directly (as if made elsewhere), e.g. someone else's runner or a leftover.</summary>
    public EmulatedRunner AddRunner(string scope, string name, IReadOnlyList<string> labels, bool online = false, bool ephemeral = true)
    {
        lock (_sync)
        {
            var runner = new EmulatedRunner { Id = ++_nextId, Name = name, Scope = scope, Labels = labels, Ephemeral = ephemeral, GroupId = 1, Secret = "s", Online = online };
            _runners[runner.Id] = runner;
            return runner;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _webhooks.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void FailLostJobLocked(long jobId)
    {
        if (!_jobs.TryGetValue(jobId, out var job) || job.Status == "completed")
        {
            return;
        }

        job.Status = "completed";
        job.Conclusion = "failure";
        job.CompletedAt = _options.Time.GetUtcNow();
        ScaleSetJobMessageLocked(job, "JobCompleted", "failed");
        if (job.RunnerId is { } runnerId && _runners.TryGetValue(runnerId, out var runner) && runner.JobId == jobId)
        {
            runner.JobId = null;
            runner.JobsRun++;
            if (runner.Ephemeral)
            {
                _runners.Remove(runnerId);
            }
        }

        _webhooks.Send("completed", Payload("completed", job));
    }

    /// <summary>
    /// GitHub's <c>POST /repos/{o}/{r}/actions/jobs/{id}/rerun</c>: refused while the run is in progress; otherwise a new
    /// attempt of the run in which the job is queued again under a new id (its <c>queued</c> webhook sent).
    /// </summary>
    private (HttpStatusCode, JsonNode?, string?) Rerun(string repository, long jobId)
    {
        if (!_jobs.TryGetValue(jobId, out var old) || !old.Repository.Equals(repository, StringComparison.OrdinalIgnoreCase) || !_runs.TryGetValue(old.RunId, out var run))
        {
            return (HttpStatusCode.NotFound, Message("Not Found"), null);
        }

        if (RunStatus(run.Jobs) != "completed")
        {
            return (HttpStatusCode.Forbidden, Message("This workflow run is not completed. Re-running a job is only possible once its workflow run has completed."), null);
        }

        var attempt = _runAttempts.GetValueOrDefault(old.RunId, 1) + 1;
        _runAttempts[old.RunId] = attempt;
        var job = new EmulatedJob
        {
            Id = ++_nextId, RunId = old.RunId, Repository = old.Repository, Labels = old.Labels, Name = old.Name, Duration = old.Duration,
            CreatedAt = _options.Time.GetUtcNow(), RunAttempt = attempt,
        };
        _jobs[job.Id] = job;
        old.RerunAs = job.Id;
        _reruns.Add(old.Id);
        var index = run.Jobs.IndexOf(old.Id);
        if (index >= 0)
        {
            run.Jobs[index] = job.Id;
        }
        else
        {
            run.Jobs.Add(job.Id);
        }

        _webhooks.Send("queued", Payload("queued", job));
        return (HttpStatusCode.Created, new JsonObject(), null);
    }

    // ---- the runner's private protocol ----

    /// <summary>A runner proves it holds the JIT config and comes online; false when the config is unknown.</summary>
    internal bool StartSession(long runnerId, string secret, int processId = 0)
    {
        lock (_sync)
        {
            if (!_runners.TryGetValue(runnerId, out var runner) || runner.Secret != secret)
            {
                return false;
            }

            _sessions.Add(new RunnerSession(runner.Id, runner.Name, processId, _options.Time.GetUtcNow()));
            runner.Online = true;
            return true;
        }
    }

    /// <summary>Gives an idle runner the oldest queued job it can run (labels and scope, as GitHub does), or null.</summary>
    internal EmulatedJob? Acquire(long runnerId, string secret)
    {
        lock (_sync)
        {
            if (!_runners.TryGetValue(runnerId, out var runner) || runner.Secret != secret || runner.Busy || !runner.Online
                || (runner.Ephemeral && runner.JobsRun > 0))
            {
                return null;
            }

            var job = _jobs.Values
                .Where(j => j.Status == "queued" && ScaleSetAllows(runner, j) && Covers(runner.Scope, j.Repository) && j.Labels.All(l => l.Equals("self-hosted", StringComparison.OrdinalIgnoreCase) || runner.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)))
                .OrderBy(j => j.CreatedAt).ThenBy(j => j.Id)
                .FirstOrDefault();
            if (job is null)
            {
                return null;
            }

            job.Status = "in_progress";
            job.StartedAt = _options.Time.GetUtcNow();
            job.RunnerId = runner.Id;
            job.RunnerName = runner.Name;
            job.Takes++;
            job.RunnerScaleSetId = runner.ScaleSetId;
            runner.JobId = job.Id;
            ScaleSetJobMessageLocked(job, "JobStarted", null);
            _webhooks.Send("in_progress", Payload("in_progress", job));
            return job;
        }
    }

    /// <summary>The runner finished its job: completed, webhook sent; an ephemeral runner's registration goes.</summary>
    internal bool Complete(long runnerId, string secret, long jobId)
    {
        lock (_sync)
        {
            if (!_runners.TryGetValue(runnerId, out var runner) || runner.Secret != secret || runner.JobId != jobId || !_jobs.TryGetValue(jobId, out var job))
            {
                return false;
            }

            job.Status = "completed";
            job.Conclusion = "success";
            job.CompletedAt = _options.Time.GetUtcNow();
            ScaleSetJobMessageLocked(job, "JobCompleted", "succeeded");
            runner.JobId = null;
            runner.JobsRun++;
            if (runner.Ephemeral)
            {
                _runners.Remove(runner.Id);
            }

            _webhooks.Send("completed", Payload("completed", job));
            return true;
        }
    }

    /// <summary>
    /// GitHub notices that a runner was lost under its job (its machine gone: a spot interruption, a killed process):
    /// the job fails (<c>completed</c>, conclusion <c>failure</c>, webhook sent) and the registration goes offline, as
    /// GitHub does once the runner stops answering. False when the runner is unknown or ran no job.
    /// </summary>
    public bool RunnerLost(long runnerId)
    {
        lock (_sync)
        {
            if (!_runners.TryGetValue(runnerId, out var runner) || runner.JobId is not { } jobId || !_jobs.TryGetValue(jobId, out var job))
            {
                return false;
            }

            job.Status = "completed";
            job.Conclusion = "failure";
            job.CompletedAt = _options.Time.GetUtcNow();
            ScaleSetJobMessageLocked(job, "JobCompleted", "failed");
            runner.JobId = null;
            runner.JobsRun++;
            runner.Online = false;
            _webhooks.Send("completed", Payload("completed", job));
            return true;
        }
    }

    /// <summary>The runner process exits: an ephemeral registration goes, a persistent one goes offline.</summary>
    internal void EndSession(long runnerId, string secret)
    {
        lock (_sync)
        {
            if (_runners.TryGetValue(runnerId, out var runner) && runner.Secret == secret && !runner.Busy)
            {
                if (runner.Ephemeral)
                {
                    _runners.Remove(runnerId);
                }
                else
                {
                    runner.Online = false;
                }
            }
        }
    }

    // ---- HTTP ----

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path.StartsWith("/_emulator/runner/", StringComparison.Ordinal))
        {
            await RunnerProtocolAsync(http, path["/_emulator/runner/".Length..]);
            return;
        }

        if (IsActionsServicePath(path))
        {
            await ActionsServiceAsync(http, path);
            return;
        }

        if (Faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Latency);
        }

        var fault = Faults.Draw(path, http.Request.Method != "GET");
        if (fault == RandomFault.Hang)
        {
            await Task.Delay(Faults.HangFor);
        }

        var requestBody = await new StreamReader(http.Request.Body).ReadToEndAsync();
        var (status, body, headers) = Answer(http, path, requestBody, fault);
        lock (_sync)
        {
            _requests.Add($"{http.Request.Method} {path}{http.Request.QueryString} {(int)status}");
        }

        http.Response.StatusCode = (int)status;
        foreach (var (name, value) in headers)
        {
            http.Response.Headers[name] = value;
        }

        if (body is not null)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.Body.WriteAsync(body);
        }
    }

    private (HttpStatusCode, byte[]?, List<(string, string)>) Answer(HttpContext http, string path, string requestBody, RandomFault fault)
    {
        var headers = new List<(string, string)>();
        if (!path.StartsWith(_options.PathPrefix + "/", StringComparison.Ordinal))
        {
            return (HttpStatusCode.NotFound, Bytes(Message("Not Found")), headers);
        }

        var segments = path[_options.PathPrefix.Length..].Trim('/').Split('/');
        var method = http.Request.Method;
        var isTokenExchange = segments is ["app", "installations", _, "access_tokens"] && method == "POST";
        var auth = http.Request.Headers.Authorization.ToString();
        if (!isTokenExchange && !Authorized(auth))
        {
            return (HttpStatusCode.Unauthorized, Bytes(Message("Bad credentials")), headers);
        }

        lock (_sync)
        {
            var now = _options.Time.GetUtcNow();
            if (now >= _resetAt)
            {
                _remaining = _options.RateLimit;
                _resetAt = now.AddHours(1);
            }

            if (Faults.RateLimitNext > 0)
            {
                Faults.RateLimitNext--;
                if (Faults.RetryAfter is { } after)
                {
                    headers.Add(("Retry-After", ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));
                    RateHeaders(headers);
                    return (Faults.RateLimitStatus, Bytes(Message("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")), headers);
                }

                _remaining = 0;
                RateHeaders(headers);
                return (Faults.RateLimitStatus, Bytes(Message("API rate limit exceeded for installation.")), headers);
            }

            if (_remaining <= 0)
            {
                RateHeaders(headers);
                return (HttpStatusCode.Forbidden, Bytes(Message("API rate limit exceeded for installation.")), headers);
            }

            if (_options.SecondaryPointsPerWindow > 0 && SecondaryRefusal(method, segments, now) is { } retryAfter)
            {
                headers.Add(("Retry-After", ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));
                RateHeaders(headers);
                return (HttpStatusCode.TooManyRequests, Bytes(Message("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")), headers);
            }

            if (fault == RandomFault.RateLimited)
            {
                headers.Add(("Retry-After", ((int)Math.Ceiling(Faults.RandomRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));
                RateHeaders(headers);
                return (HttpStatusCode.TooManyRequests, Bytes(Message("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")), headers);
            }

            if (Faults.FailNext > 0 || fault == RandomFault.ServerError)
            {
                Faults.FailNext -= fault == RandomFault.ServerError ? 0 : 1;
                _remaining--;
                RateHeaders(headers);
                return (Faults.ErrorStatus, Bytes(Message("Server Error")), headers);
            }

            var (status, json, link) = Route(http, method, segments, auth, requestBody, now);
            if (method != "GET" && (int)status < 300 && (Faults.LoseAnswerNext > 0 || fault == RandomFault.LostAnswer))
            {
                Faults.LoseAnswerNext -= fault == RandomFault.LostAnswer ? 0 : 1;
                _remaining--;
                RateHeaders(headers);
                return (Faults.ErrorStatus, Bytes(Message("Server Error")), headers);
            }

            var bytes = json is null ? null : Encoding.UTF8.GetBytes(json.ToJsonString());
            if (method == "GET" && status == HttpStatusCode.OK && bytes is not null)
            {
                var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"";
                headers.Add(("ETag", etag));
                if (http.Request.Headers.IfNoneMatch.ToString() == etag)
                {
                    Interlocked.Increment(ref _notModified);
                    RateHeaders(headers);
                    return (HttpStatusCode.NotModified, null, headers);
                }
            }

            _remaining--;
            RateHeaders(headers);
            if (link is not null)
            {
                headers.Add(("Link", link));
            }

            return (status, bytes, headers);
        }
    }

    /// <summary>
    /// Spends the request's points on its endpoint's secondary-limit window; when they do not fit, the time until the
    /// window ends (the <c>Retry-After</c>) and the refusal is noted. Called under the lock.
    /// </summary>
    private TimeSpan? SecondaryRefusal(string method, string[] segments, DateTimeOffset now)
    {
        var endpoint = method + " /" + string.Join('/', segments.Select(s => s.Length > 0 && s.All(char.IsAsciiDigit) ? "{id}" : s));
        var cost = method == "GET" ? 1 : 5;
        var (start, points) = _secondary.GetValueOrDefault(endpoint, (now, 0));
        if (now - start >= _options.SecondaryWindow)
        {
            (start, points) = (now, 0);
        }

        if (points + cost > _options.SecondaryPointsPerWindow)
        {
            var retryAfter = start + _options.SecondaryWindow - now;
            _secondaryRefusals.Add((now, endpoint, retryAfter));
            return retryAfter;
        }

        _secondary[endpoint] = (start, points + cost);
        return null;
    }

    private void RateHeaders(List<(string, string)> headers)
    {
        headers.Add(("X-RateLimit-Limit", _options.RateLimit.ToString(CultureInfo.InvariantCulture)));
        headers.Add(("X-RateLimit-Remaining", Math.Max(0, _remaining).ToString(CultureInfo.InvariantCulture)));
        headers.Add(("X-RateLimit-Used", (_options.RateLimit - Math.Max(0, _remaining)).ToString(CultureInfo.InvariantCulture)));
        headers.Add(("X-RateLimit-Reset", _resetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        headers.Add(("X-RateLimit-Resource", "core"));
    }

    private bool Authorized(string header)
    {
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header.StartsWith("token ", StringComparison.Ordinal) ? header[6..] : null;
        if (token is null)
        {
            return false;
        }

        lock (_sync)
        {
            return _options.Tokens.Contains(token)
                || (_installationTokens.TryGetValue(token, out var expires) && expires > _options.Time.GetUtcNow());
        }
    }

    private (HttpStatusCode, JsonNode?, string?) Route(HttpContext http, string method, string[] s, string auth, string requestBody, DateTimeOffset now)
    {
        switch (s)
        {
            case ["app", "installations", var installation, "access_tokens"] when method == "POST":
                return TokenExchange(installation, auth, now);
            case ["repos", var owner, var repo, "actions", "runners", .. var rest]:
                return Runners(http, method, $"/repos/{owner}/{repo}", rest, requestBody, now);
            case ["orgs", var org, "actions", "runners", .. var rest]:
                return Runners(http, method, $"/orgs/{org}", rest, requestBody, now);
            case ["enterprises", var enterprise, "actions", "runners", .. var rest]:
                return Runners(http, method, $"/enterprises/{enterprise}", rest, requestBody, now);
            case ["repos", var owner, var repo, "actions", "runs"] when method == "GET":
                return WorkflowRuns(http, $"{owner}/{repo}");
            case ["repos", var owner, var repo, "actions", "runs", var run] when method == "GET" && long.TryParse(run, out var oneRun):
                return _runs.TryGetValue(oneRun, out var found) && found.Repository.Equals($"{owner}/{repo}", StringComparison.OrdinalIgnoreCase)
                    ? (HttpStatusCode.OK, RunJson(oneRun, found.Repository, found.CreatedAt, found.Jobs), null)
                    : (HttpStatusCode.NotFound, Message("Not Found"), null);
            case ["repos", var owner, var repo, "actions", "jobs", var job, "rerun"] when method == "POST" && long.TryParse(job, out var rerunId):
                return Rerun($"{owner}/{repo}", rerunId);
            case ["repos", var owner, var repo, "actions", "runs", var run, "jobs"] when method == "GET" && long.TryParse(run, out var runId):
                return _runs.TryGetValue(runId, out var r) && r.Repository.Equals($"{owner}/{repo}", StringComparison.OrdinalIgnoreCase)
                    ? Page(http, r.Jobs.Select(id => JobJson(_jobs[id])).ToList(), "jobs")
                    : (HttpStatusCode.NotFound, Message("Not Found"), null);
            case ["repos", var owner, var repo, "actions", "jobs", var job] when method == "GET" && long.TryParse(job, out var jobId):
                return _jobs.TryGetValue(jobId, out var j) && j.Repository.Equals($"{owner}/{repo}", StringComparison.OrdinalIgnoreCase)
                    ? (HttpStatusCode.OK, JobJson(j), null)
                    : (HttpStatusCode.NotFound, Message("Not Found"), null);
            case ["orgs", var org, "repos"] when method == "GET":
                return Page(http, _repositories.Where(r => r.StartsWith(org + "/", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
                    .Select(r => (JsonNode)new JsonObject { ["id"] = Math.Abs(r.GetHashCode(StringComparison.Ordinal)), ["name"] = r.Split('/')[1], ["full_name"] = r, ["archived"] = false, ["private"] = true }).ToList(), null);
            default:
                return (HttpStatusCode.NotFound, Message("Not Found"), null);
        }
    }

    private (HttpStatusCode, JsonNode?, string?) TokenExchange(string installation, string auth, DateTimeOffset now)
    {
        if (_options.AppKey is not { } key || !auth.StartsWith("Bearer ", StringComparison.Ordinal) || installation != _options.InstallationId.ToString(CultureInfo.InvariantCulture))
        {
            return (HttpStatusCode.Unauthorized, Message("A JSON web token could not be decoded"), null);
        }

        var parts = auth[7..].Split('.');
        if (parts.Length != 3 || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return (HttpStatusCode.Unauthorized, Message("A JSON web token could not be decoded"), null);
        }

        var payload = JsonNode.Parse(FromBase64Url(parts[1]))!;
        var exp = payload["exp"]!.GetValue<long>();
        var iat = payload["iat"]!.GetValue<long>();
        if (payload["iss"]?.ToString() != _options.AppId.ToString(CultureInfo.InvariantCulture) || exp - iat > 660 || exp < now.ToUnixTimeSeconds())
        {
            return (HttpStatusCode.Unauthorized, Message("'Expiration time' claim ('exp') is too far in the future"), null);
        }

        Interlocked.Increment(ref _tokenExchanges);
        var token = "ghs_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = now + _options.InstallationTokenLifetime;
        _installationTokens[token] = expires;
        return (HttpStatusCode.Created, new JsonObject { ["token"] = token, ["expires_at"] = expires.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), ["permissions"] = new JsonObject { ["administration"] = "write" } }, null);
    }

    private (HttpStatusCode, JsonNode?, string?) Runners(HttpContext http, string method, string scope, string[] rest, string requestBody, DateTimeOffset now)
    {
        switch (rest)
        {
            case [] when method == "GET":
                var named = http.Request.Query["name"].ToString();
                return Page(http, _runners.Values
                    .Where(r => r.Scope.Equals(scope, StringComparison.OrdinalIgnoreCase) && (named.Length == 0 || r.Name == named))
                    .OrderBy(r => r.Id).Select(RunnerJson).ToList(), "runners");
            case ["generate-jitconfig"] when method == "POST":
                var request = JsonNode.Parse(requestBody.Length == 0 ? "{}" : requestBody);
                var name = request?["name"]?.GetValue<string>();
                var labels = request?["labels"]?.AsArray().Select(l => l!.GetValue<string>()).ToList();
                if (string.IsNullOrEmpty(name) || labels is null || labels.Count == 0 || request?["runner_group_id"] is null)
                {
                    return (HttpStatusCode.UnprocessableEntity, Message("Invalid request. name, runner_group_id and labels are required"), null);
                }

                if (_runners.Values.Any(r => r.Scope.Equals(scope, StringComparison.OrdinalIgnoreCase) && r.Name == name))
                {
                    return (HttpStatusCode.Conflict, Message($"Already exists - A runner with the name {name} already exists."), null);
                }

                var runner = new EmulatedRunner
                {
                    Id = ++_nextId, Name = name, Scope = scope, Labels = labels, Ephemeral = true,
                    GroupId = request!["runner_group_id"]!.GetValue<long>(), Secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                };
                _runners[runner.Id] = runner;
                _minted.Add((runner.Id, runner.Name));
                var jit = EncodedJitConfig(runner);
                return (HttpStatusCode.Created, new JsonObject { ["runner"] = RunnerJson(runner), ["encoded_jit_config"] = jit }, null);
            case ["registration-token"] when method == "POST":
                var registrationToken = "R" + Convert.ToHexString(RandomNumberGenerator.GetBytes(14));
                _registrationTokens[registrationToken] = scope;
                return (HttpStatusCode.Created, new JsonObject { ["token"] = registrationToken, ["expires_at"] = (now + TimeSpan.FromHours(1)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture) }, null);
            case [var id] when long.TryParse(id, out var runnerId) && _runners.TryGetValue(runnerId, out var existing) && existing.Scope.Equals(scope, StringComparison.OrdinalIgnoreCase):
                if (method == "GET")
                {
                    return (HttpStatusCode.OK, RunnerJson(existing), null);
                }

                if (method != "DELETE")
                {
                    return (HttpStatusCode.NotFound, Message("Not Found"), null);
                }

                if (existing.Busy)
                {
                    return (HttpStatusCode.UnprocessableEntity, Message($"Bad request - Runner \"{existing.Name}\" is still running a job\""), null);
                }

                _runners.Remove(runnerId);
                return (HttpStatusCode.NoContent, null, null);
            default:
                return (HttpStatusCode.NotFound, Message("Not Found"), null);
        }
    }

    private string EncodedJitConfig(EmulatedRunner runner)
    {
        // The emulator's own keys (url, runner_id, runner_name, secret) and, as GitHub encodes a JIT configuration, the
        // runner's files base64-encoded under .runner, .credentials and .credentials_rsaparams (which GARM's metadata
        // endpoints serve one by one); the stand-in runner reads either.
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["url"] = RootUrl.AbsoluteUri, ["runner_id"] = runner.Id, ["runner_name"] = runner.Name, ["secret"] = runner.Secret,
            [".runner"] = Base64Json(new JsonObject
            {
                ["agentId"] = runner.Id, ["agentName"] = runner.Name, ["poolId"] = runner.GroupId, ["serverUrl"] = RootUrl.AbsoluteUri,
                ["gitHubUrl"] = RootUrl.AbsoluteUri, ["workFolder"] = "_work", ["ephemeral"] = true,
            }),
            [".credentials"] = Base64Json(new JsonObject
            {
                ["scheme"] = "OAuth", ["data"] = new JsonObject { ["clientId"] = runner.Secret, ["authorizationUrl"] = RootUrl.AbsoluteUri + "_apis/oauth2/token" },
            }),
            [".credentials_rsaparams"] = Base64Json(new JsonObject { ["d"] = "emulated", ["modulus"] = "emulated" }),
        }.ToJsonString()));
    }

    private (HttpStatusCode, JsonNode?, string?) WorkflowRuns(HttpContext http, string repository)
    {
        var status = http.Request.Query["status"].ToString();
        var created = http.Request.Query["created"].ToString();
        DateTimeOffset? since = created.StartsWith(">=", StringComparison.Ordinal) && DateTimeOffset.TryParse(created[2..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s) ? s : null;
        var runs = _runs
            .Where(r => r.Value.Repository.Equals(repository, StringComparison.OrdinalIgnoreCase))
            .Where(r => status.Length == 0 || RunStatus(r.Value.Jobs) == status)
            .Where(r => since is null || r.Value.CreatedAt >= since)
            .OrderByDescending(r => r.Value.CreatedAt).ThenByDescending(r => r.Key)
            .Select(r => (JsonNode)RunJson(r.Key, r.Value.Repository, r.Value.CreatedAt, r.Value.Jobs))
            .ToList();
        return Page(http, runs, "workflow_runs");
    }

    private string RunStatus(List<long> jobs)
    {
        var statuses = jobs.Select(j => _jobs[j].Status).ToList();
        return statuses.All(s => s == "completed") ? "completed" : statuses.All(s => s == "queued") ? "queued" : "in_progress";
    }

    private (HttpStatusCode, JsonNode?, string?) Page(HttpContext http, List<JsonNode> items, string? property)
    {
        var perPage = int.TryParse(http.Request.Query["per_page"], out var p) ? Math.Clamp(p, 1, _options.MaxPerPage) : Math.Min(30, _options.MaxPerPage);
        var page = int.TryParse(http.Request.Query["page"], out var n) ? Math.Max(1, n) : 1;
        var pages = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var slice = new JsonArray([.. items.Skip((page - 1) * perPage).Take(perPage).Select(i => i.DeepClone())]);
        string? link = null;
        if (page < pages)
        {
            string Url(int number)
            {
                var query = http.Request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={number}");
                return $"<{RootUrl.AbsoluteUri.TrimEnd('/')}{http.Request.Path}?{string.Join("&", query)}>";
            }

            link = $"{Url(page + 1)}; rel=\"next\", {Url(pages)}; rel=\"last\"";
        }

        JsonNode body = property is null ? slice : new JsonObject { ["total_count"] = items.Count, [property] = slice };
        return (HttpStatusCode.OK, body, link);
    }

    private static JsonNode RunnerJson(EmulatedRunner runner)
    {
        var labels = new JsonArray { new JsonObject { ["id"] = 5, ["name"] = "self-hosted", ["type"] = "read-only" } };
        var i = 100;
        foreach (var label in runner.Labels.Where(l => !l.Equals("self-hosted", StringComparison.OrdinalIgnoreCase)))
        {
            labels.Add(new JsonObject { ["id"] = i++, ["name"] = label, ["type"] = "custom" });
        }

        return new JsonObject
        {
            ["id"] = runner.Id, ["name"] = runner.Name, ["os"] = "linux", ["status"] = runner.Online ? "online" : "offline",
            ["busy"] = runner.Busy, ["ephemeral"] = runner.Ephemeral, ["runner_group_id"] = runner.GroupId, ["labels"] = labels,
        };
    }

    private JsonNode JobJson(EmulatedJob job)
    {
        var repo = $"{RootUrl.AbsoluteUri.TrimEnd('/')}{_options.PathPrefix}/repos/{job.Repository}";
        return new JsonObject
        {
            ["id"] = job.Id, ["run_id"] = job.RunId, ["workflow_name"] = "CI", ["head_branch"] = "main",
            ["run_url"] = $"{repo}/actions/runs/{job.RunId}", ["run_attempt"] = job.RunAttempt, ["node_id"] = $"CR_{job.Id}",
            ["head_sha"] = "3484a3fb816e0859fd6e1cea078d76385ff50625", ["url"] = $"{repo}/actions/jobs/{job.Id}",
            ["html_url"] = $"https://github.com/{job.Repository}/actions/runs/{job.RunId}/job/{job.Id}",
            ["status"] = job.Status, ["conclusion"] = job.Conclusion,
            ["created_at"] = Faults.UnreadableJobs.ContainsKey(job.Id) ? "yesterday-ish" : Time(job.CreatedAt), ["started_at"] = Time(job.StartedAt ?? job.CreatedAt), ["completed_at"] = Time(job.CompletedAt),
            ["name"] = job.Name, ["steps"] = new JsonArray(), ["check_run_url"] = $"{repo}/check-runs/{job.Id}",
            ["labels"] = new JsonArray([.. job.Labels.Select(l => (JsonNode)JsonValue.Create(l))]),
            ["runner_id"] = job.RunnerId, ["runner_name"] = job.RunnerName,
            ["runner_group_id"] = job.RunnerId is null ? null : 1, ["runner_group_name"] = job.RunnerId is null ? null : "Default",
        };
    }

    private JsonObject RunJson(long id, string repository, DateTimeOffset createdAt, List<long> jobs) => new()
    {
        ["id"] = id, ["name"] = "CI", ["node_id"] = $"WFR_{id}", ["head_branch"] = "main", ["head_sha"] = "3484a3fb816e0859fd6e1cea078d76385ff50625",
        ["run_number"] = id, ["event"] = "push", ["status"] = RunStatus(jobs), ["conclusion"] = RunStatus(jobs) == "completed" ? "success" : null,
        ["workflow_id"] = 1, ["run_attempt"] = _runAttempts.GetValueOrDefault(id, 1), ["created_at"] = Time(createdAt), ["updated_at"] = Time(createdAt), ["run_started_at"] = Time(createdAt),
        ["jobs_url"] = $"{RootUrl.AbsoluteUri.TrimEnd('/')}{_options.PathPrefix}/repos/{repository}/actions/runs/{id}/jobs",
        ["repository"] = new JsonObject { ["full_name"] = repository, ["name"] = repository.Split('/')[1] },
    };

    private JsonObject Payload(string action, EmulatedJob job)
    {
        var owner = job.Repository.Split('/')[0];
        return new JsonObject
        {
            ["action"] = action,
            ["workflow_job"] = JobJson(job),
            ["repository"] = new JsonObject { ["id"] = 1, ["name"] = job.Repository.Split('/')[1], ["full_name"] = job.Repository, ["private"] = true, ["owner"] = new JsonObject { ["login"] = owner, ["type"] = "Organization" } },
            ["organization"] = new JsonObject { ["login"] = owner },
            ["sender"] = new JsonObject { ["login"] = "octocat", ["type"] = "User" },
            ["installation"] = new JsonObject { ["id"] = _options.InstallationId },
        };
    }

    private async Task RunnerProtocolAsync(HttpContext http, string action)
    {
        var request = await JsonNode.ParseAsync(http.Request.Body);
        var runnerId = request?["runner_id"]?.GetValue<long>() ?? 0;
        var secret = request?["secret"]?.GetValue<string>() ?? string.Empty;
        switch (action)
        {
            case "session":
                http.Response.StatusCode = StartSession(runnerId, secret, request?["pid"]?.GetValue<int>() ?? 0) ? 200 : 401;
                break;
            case "acquire":
                if (Acquire(runnerId, secret) is { } job)
                {
                    await http.Response.WriteAsJsonAsync(new { job_id = job.Id, duration_ms = (long)job.Duration.TotalMilliseconds });
                }
                else
                {
                    http.Response.StatusCode = 204;
                }

                break;
            case "complete":
                http.Response.StatusCode = Complete(runnerId, secret, request?["job_id"]?.GetValue<long>() ?? 0) ? 200 : 409;
                break;
            case "exit":
                EndSession(runnerId, secret);
                http.Response.StatusCode = 200;
                break;
            default:
                http.Response.StatusCode = 404;
                break;
        }
    }

    private static bool Covers(string scope, string repository) =>
        scope.StartsWith("/enterprises/", StringComparison.Ordinal)
        || scope.Equals($"/repos/{repository}", StringComparison.OrdinalIgnoreCase)
        || (scope.StartsWith("/orgs/", StringComparison.Ordinal) && repository.StartsWith(scope[6..] + "/", StringComparison.OrdinalIgnoreCase));

    private static string? Time(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static JsonObject Message(string message) => new() { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest", ["status"] = "error" };

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    private static string Base64Json(JsonObject value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value.ToJsonString()));

}
