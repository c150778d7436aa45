using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Drover.Testing.GitHub;

/// <summary>
/// The GitHub Actions service behind runner scale sets (the "tenant" that <c>actions/scaleset</c> and ARC's listener
/// speak to), with GitHub's shapes: the runner-registration exchange (registration token → service URL and admin token),
/// runner groups, scale sets (CRUD; names unique per runner group), message sessions (one per scale set; a second is
/// refused with 409 <c>RunnerScaleSetSessionConflictException</c>; refresh, eviction answered 404, deletion), the
/// long-poll message queue (<c>lastMessageId</c>, 202 after <see cref="GitHubEmulatorOptions.ScaleSetPollWindow"/>, at
/// most 50 job messages a message, unacknowledged messages delivered again, statistics computed at delivery), job
/// acquisition, JIT configs (409 <c>AgentExistsException</c> for a name in use), runner removal (409
/// <c>JobStillRunningException</c> for a busy runner), and expired admin or queue tokens answered 401. Faults come from
/// <see cref="ActionsFaults"/> (5xx, 429 with Retry-After, lost answers, latency). Jobs queued with
/// <see cref="QueueRun"/> whose labels a scale set covers are assigned to it; a runner made from a scale set's JIT config
/// takes only that set's jobs, and no other runner takes them.
/// </summary>
public sealed partial class GitHubEmulator
{
    private const int MaxJobsPerMessage = 50;
    private readonly Dictionary<string, string> _registrationTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Scope, DateTimeOffset ExpiresAt)> _adminTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _runnerGroups = [];
    private readonly Dictionary<long, EmulatedScaleSet> _scaleSets = [];
    private readonly List<string> _actionsRequests = [];
    private long _nextScaleSetId;

    /// <summary>Faults injected into the Actions service and message queue (not into the REST API).</summary>
    public EmulatorFaults ActionsFaults { get; } = new();

    /// <summary>The Actions service ("tenant") URL the runner-registration exchange hands out.</summary>
    public Uri ActionsServiceUrl => new(RootUrl, "/_actions/tenant/");

    /// <summary>Actions service and message-queue requests received, as <c>METHOD path status</c>.</summary>
    public IReadOnlyList<string> ActionsRequests
    {
        get
        {
            lock (_sync)
            {
                return [.. _actionsRequests];
            }
        }
    }

    /// <summary>Snapshot of the scale sets.</summary>
    public IReadOnlyList<EmulatedScaleSet> ScaleSets()
    {
        lock (_sync)
        {
            return [.. _scaleSets.Values.OrderBy(s => s.Id)];
        }
    }

    /// <summary>Adds a runner group; returns its id.</summary>
    public long AddRunnerGroup(string name)
    {
        lock (_sync)
        {
            var id = _runnerGroups.Keys.Max() + 1;
            _runnerGroups[id] = name;
            return id;
        }
    }

    /// <summary>Registers a scale set directly (made by someone else, or left by an earlier Drover); returns it.</summary>
    public EmulatedScaleSet AddScaleSet(string scope, string name, IReadOnlyList<string> labels, long runnerGroupId = 1)
    {
        lock (_sync)
        {
            var set = new EmulatedScaleSet { Id = ++_nextScaleSetId, Name = name, RunnerGroupId = runnerGroupId, Labels = [name, .. labels.Where(l => l != name)], Scope = scope };
            _scaleSets[set.Id] = set;
            return set;
        }
    }

    /// <summary>Opens a message session for someone else (another listener); false when one is open already.</summary>
    public bool OpenSession(long scaleSetId, string owner)
    {
        lock (_sync)
        {
            if (!_scaleSets.TryGetValue(scaleSetId, out var set) || set.Session is not null)
            {
                return false;
            }

            set.Session = NewSession(set, owner);
            return true;
        }
    }

    /// <summary>Closes a scale set's session as its holder would (or as the service does once it expires it).</summary>
    public bool CloseSession(long scaleSetId)
    {
        lock (_sync)
        {
            if (!_scaleSets.TryGetValue(scaleSetId, out var set) || set.Session is null)
            {
                return false;
            }

            set.Session = null;
            set.Signal.Release();
            return true;
        }
    }

    /// <summary>The broker drops the scale set's session: its refresh answers 404, its polls 404.</summary>
    public bool EvictSession(long scaleSetId) => CloseSession(scaleSetId);

    /// <summary>Every message-queue token expires now: polls, acknowledgements and acquisitions answer 401 until refreshed.</summary>
    public void ExpireQueueTokens()
    {
        lock (_sync)
        {
            var past = _options.Time.GetUtcNow().AddSeconds(-1);
            foreach (var set in _scaleSets.Values)
            {
                set.Session?.TokenExpiresAt = past;
            }
        }
    }

    /// <summary>Every admin token expires now: Actions service calls answer 401 until a new runner-registration exchange.</summary>
    public void ExpireAdminTokens()
    {
        lock (_sync)
        {
            var past = _options.Time.GetUtcNow().AddSeconds(-1);
            foreach (var token in _adminTokens.Keys.ToList())
            {
                _adminTokens[token] = (_adminTokens[token].Scope, past);
            }
        }
    }

    /// <summary>The statistics the service reports for a scale set now (as in messages and sessions).</summary>
    public JsonObject ScaleSetStatistics(long scaleSetId)
    {
        lock (_sync)
        {
            return Statistics(_scaleSets[scaleSetId]);
        }
    }

    private bool IsActionsServicePath(string path) =>
        path == _options.PathPrefix + "/actions/runner-registration"
        || path.StartsWith("/_actions/tenant/", StringComparison.Ordinal)
        || path.StartsWith("/_broker/", StringComparison.Ordinal);

    private async Task ActionsServiceAsync(HttpContext http, string path)
    {
        if (ActionsFaults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(ActionsFaults.Latency);
        }

        var method = http.Request.Method;
        var requestBody = await new StreamReader(http.Request.Body).ReadToEndAsync();
        HttpStatusCode status;
        JsonNode? body;
        var headers = new List<(string, string)>();
        var fault = ActionsFaults.Draw(path, method != "GET");
        lock (_sync)
        {
            if (ActionsFaults.RateLimitNext > 0 || fault == RandomFault.RateLimited)
            {
                ActionsFaults.RateLimitNext -= fault == RandomFault.RateLimited ? 0 : 1;
                var after = fault == RandomFault.RateLimited ? ActionsFaults.RandomRetryAfter : ActionsFaults.RetryAfter ?? TimeSpan.FromSeconds(1);
                headers.Add(("Retry-After", ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));
                status = HttpStatusCode.TooManyRequests;
                body = Error("RateLimitExceededException", "Too many requests");
            }
            else if (ActionsFaults.FailNext > 0 || fault == RandomFault.ServerError)
            {
                ActionsFaults.FailNext -= fault == RandomFault.ServerError ? 0 : 1;
                status = ActionsFaults.ErrorStatus;
                body = Error("ServiceUnavailableException", "The service is unavailable");
            }
            else
            {
                status = HttpStatusCode.NotFound;
                body = null;
            }
        }

        if (status == HttpStatusCode.NotFound)
        {
            (status, body) = path.StartsWith("/_broker/", StringComparison.Ordinal) && method == "GET"
                ? await PollAsync(http, path["/_broker/".Length..].Split('/'))
                : ActionsRoute(http, method, path, requestBody);
            if (method != "GET" && (int)status < 300 && (ActionsFaults.LoseAnswerNext > 0 || fault == RandomFault.LostAnswer))
            {
                lock (_sync)
                {
                    ActionsFaults.LoseAnswerNext -= fault == RandomFault.LostAnswer ? 0 : 1;
                }

                status = ActionsFaults.ErrorStatus;
                body = Error("ServiceUnavailableException", "The service is unavailable");
            }
        }

        lock (_sync)
        {
            _actionsRequests.Add($"{method} {path}{http.Request.QueryString} {(int)status}");
        }

        http.Response.StatusCode = (int)status;
        foreach (var (name, value) in headers)
        {
            http.Response.Headers[name] = value;
        }

        if (body is not null)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body.ToJsonString()));
        }
    }

    private (HttpStatusCode, JsonNode?) ActionsRoute(HttpContext http, string method, string path, string requestBody)
    {
        lock (_sync)
        {
            var now = _options.Time.GetUtcNow();
            DropIdleSessions(now);
            if (path == _options.PathPrefix + "/actions/runner-registration")
            {
                return RunnerRegistration(http, requestBody, now);
            }

            var auth = http.Request.Headers.Authorization.ToString();
            if (path.StartsWith("/_broker/", StringComparison.Ordinal))
            {
                return path["/_broker/".Length..].Split('/') is [var setText, var sessionText, var messageText] && method == "DELETE"
                    && long.TryParse(setText, out var setId) && long.TryParse(messageText, out var messageId)
                    ? Acknowledge(setId, sessionText, messageId, auth, now)
                    : (HttpStatusCode.NotFound, Error("NotFoundException", "Not found"));
            }

            var s = path["/_actions/tenant/".Length..].Trim('/').Split('/');
            if (s is ["_apis", "runtime", "runnerscalesets", var acquireSet, "acquirejobs"] && method == "POST" && long.TryParse(acquireSet, out var acquireId))
            {
                return AcquireJobs(acquireId, auth, requestBody, now);
            }

            var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : string.Empty;
            if (!_adminTokens.TryGetValue(token, out var admin) || admin.ExpiresAt <= now)
            {
                return (HttpStatusCode.Unauthorized, Error("UnauthorizedException", "The admin token is missing, invalid or expired"));
            }

            var q = http.Request.Query;
            switch (s)
            {
                case ["_apis", "runtime", "runnergroups"] when method == "GET":
                    var groupName = q["groupName"].ToString();
                    var groups = _runnerGroups.Where(g => groupName.Length == 0 || g.Value.Equals(groupName, StringComparison.OrdinalIgnoreCase))
                        .Select(g => (JsonNode)new JsonObject { ["id"] = g.Key, ["name"] = g.Value, ["size"] = 0, ["isDefaultGroup"] = g.Key == 1 }).ToList();
                    return (HttpStatusCode.OK, List(groups));
                case ["_apis", "runtime", "runnerscalesets"] when method == "GET":
                    var name = q["name"].ToString();
                    var group = long.TryParse(q["runnerGroupId"], out var g1) ? g1 : (long?)null;
                    return (HttpStatusCode.OK, List([.. _scaleSets.Values
                        .Where(x => x.Scope == admin.Scope && (name.Length == 0 || x.Name == name) && (group is null || x.RunnerGroupId == group))
                        .OrderBy(x => x.Id).Select(ScaleSetJson)]));
                case ["_apis", "runtime", "runnerscalesets"] when method == "POST":
                    return CreateScaleSet(admin.Scope, requestBody);
                case ["_apis", "runtime", "runnerscalesets", var idText, .. var rest] when long.TryParse(idText, out var id):
                    if (!_scaleSets.TryGetValue(id, out var set) || set.Scope != admin.Scope)
                    {
                        return (HttpStatusCode.NotFound, Error("RunnerScaleSetNotFoundException", $"Runner scale set {id} not found"));
                    }

                    return ScaleSetRoute(method, set, rest, requestBody, now);
                case ["_apis", "distributedtask", "pools", "0", "agents"] when method == "GET":
                    var agentName = q["agentName"].ToString();
                    return (HttpStatusCode.OK, List([.. _runners.Values.Where(r => r.Scope == admin.Scope && (agentName.Length == 0 || r.Name == agentName)).OrderBy(r => r.Id).Select(AgentJson)]));
                case ["_apis", "distributedtask", "pools", "0", "agents", var agentText] when long.TryParse(agentText, out var agentId):
                    if (!_runners.TryGetValue(agentId, out var runner) || runner.Scope != admin.Scope)
                    {
                        return (HttpStatusCode.NotFound, Error("AgentNotFoundException", $"No agent found with identifier {agentId}."));
                    }

                    if (method == "GET")
                    {
                        return (HttpStatusCode.OK, AgentJson(runner));
                    }

                    if (method != "DELETE")
                    {
                        break;
                    }

                    if (runner.Busy)
                    {
                        return (HttpStatusCode.Conflict, Error("JobStillRunningException", $"Agent {runner.Name} is running job {runner.JobId} and cannot be removed."));
                    }

                    _runners.Remove(agentId);
                    return (HttpStatusCode.NoContent, null);
            }

            return (HttpStatusCode.NotFound, Error("NotFoundException", "Not found"));
        }
    }

    private (HttpStatusCode, JsonNode?) RunnerRegistration(HttpContext http, string requestBody, DateTimeOffset now)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        var registration = auth.StartsWith("RemoteAuth ", StringComparison.Ordinal) ? auth[11..] : string.Empty;
        if (!_registrationTokens.TryGetValue(registration, out var scope))
        {
            return (HttpStatusCode.Unauthorized, Message("Bad credentials"));
        }

        var request = JsonNode.Parse(requestBody.Length == 0 ? "{}" : requestBody);
        var url = request?["url"]?.GetValue<string>();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var configUrl) || request?["runner_event"]?.GetValue<string>() != "register")
        {
            return (HttpStatusCode.BadRequest, Message("url and runner_event 'register' are required"));
        }

        var segments = configUrl.AbsolutePath.Trim('/').Split('/');
        var configScope = segments switch
        {
            ["enterprises", var e] => $"/enterprises/{e}",
            [var owner, var repo] => $"/repos/{owner}/{repo}",
            [var org] when org.Length > 0 => $"/orgs/{org}",
            _ => null,
        };
        if (!string.Equals(configScope, scope, StringComparison.OrdinalIgnoreCase))
        {
            return (HttpStatusCode.Forbidden, Message($"the registration token is for {scope}, not for {url}"));
        }

        var expires = now + _options.AdminTokenLifetime;
        var token = Jwt(expires);
        _adminTokens[token] = (scope, expires);
        return (HttpStatusCode.OK, new JsonObject { ["url"] = ActionsServiceUrl.AbsoluteUri, ["token"] = token });
    }

    private (HttpStatusCode, JsonNode?) CreateScaleSet(string scope, string requestBody)
    {
        var request = JsonNode.Parse(requestBody.Length == 0 ? "{}" : requestBody);
        var name = request?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            return (HttpStatusCode.BadRequest, Error("ArgumentException", "name is required"));
        }

        var group = request?["runnerGroupId"]?.GetValue<long>() ?? 1;
        if (!_runnerGroups.ContainsKey(group))
        {
            return (HttpStatusCode.NotFound, Error("RunnerGroupNotFoundException", $"Runner group {group} not found"));
        }

        if (_scaleSets.Values.Any(x => x.Scope == scope && x.RunnerGroupId == group && x.Name == name))
        {
            return (HttpStatusCode.BadRequest, Error("RunnerScaleSetExistsException", $"A runner scale set named {name} already exists in the runner group."));
        }

        var labels = LabelNames(request?["labels"]) ?? [name];
        var set = new EmulatedScaleSet { Id = ++_nextScaleSetId, Name = name, RunnerGroupId = group, Labels = labels, Scope = scope };
        _scaleSets[set.Id] = set;
        return (HttpStatusCode.OK, ScaleSetJson(set));
    }

    private (HttpStatusCode, JsonNode?) ScaleSetRoute(string method, EmulatedScaleSet set, string[] rest, string requestBody, DateTimeOffset now)
    {
        switch (rest)
        {
            case [] when method == "GET":
                return (HttpStatusCode.OK, ScaleSetJson(set));
            case [] when method == "PATCH":
                var patch = JsonNode.Parse(requestBody.Length == 0 ? "{}" : requestBody);
                if (patch?["name"]?.GetValue<string>() is { Length: > 0 } newName)
                {
                    set.Name = newName;
                }

                if (patch?["runnerGroupId"]?.GetValue<long>() is { } newGroup)
                {
                    if (!_runnerGroups.ContainsKey(newGroup))
                    {
                        return (HttpStatusCode.NotFound, Error("RunnerGroupNotFoundException", $"Runner group {newGroup} not found"));
                    }

                    set.RunnerGroupId = newGroup;
                }

                if (LabelNames(patch?["labels"]) is { } newLabels)
                {
                    set.Labels = newLabels;
                }

                return (HttpStatusCode.OK, ScaleSetJson(set));
            case [] when method == "DELETE":
                _scaleSets.Remove(set.Id);
                set.Session = null;
                set.Signal.Release();
                return (HttpStatusCode.NoContent, null);
            case ["generatejitconfig"] when method == "POST":
                var request = JsonNode.Parse(requestBody.Length == 0 ? "{}" : requestBody);
                var name = request?["name"]?.GetValue<string>();
                if (string.IsNullOrEmpty(name))
                {
                    return (HttpStatusCode.BadRequest, Error("ArgumentException", "name is required"));
                }

                if (_runners.Values.Any(r => r.Scope == set.Scope && r.Name == name))
                {
                    return (HttpStatusCode.Conflict, Error("AgentExistsException", $"Agent with name {name} already exists."));
                }

                var runner = new EmulatedRunner
                {
                    Id = ++_nextId, Name = name, Scope = set.Scope, Labels = set.Labels, Ephemeral = true, GroupId = set.RunnerGroupId,
                    Secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), ScaleSetId = set.Id,
                };
                _runners[runner.Id] = runner;
                _minted.Add((runner.Id, runner.Name));
                return (HttpStatusCode.OK, new JsonObject { ["runner"] = AgentJson(runner), ["encodedJITConfig"] = EncodedJitConfig(runner) });
            case ["sessions"] when method == "POST":
                var owner = JsonNode.Parse(requestBody.Length == 0 ? "{}" : requestBody)?["ownerName"]?.GetValue<string>() ?? "unknown";
                if (set.Session is not null)
                {
                    return (HttpStatusCode.Conflict, Error("RunnerScaleSetSessionConflictException", $"The actions runner scaleset {set.Name} already has an active session for owner {set.Session.Owner}."));
                }

                set.Session = NewSession(set, owner);
                return (HttpStatusCode.OK, SessionJson(set, set.Session));
            case ["sessions", var sid] when set.Session is { } session && session.Id.ToString() == sid:
                if (method == "PATCH")
                {
                    session.TokenExpiresAt = now + _options.QueueTokenLifetime;
                    session.Token = Jwt(session.TokenExpiresAt);
                    return (HttpStatusCode.OK, SessionJson(set, session));
                }

                if (method == "DELETE")
                {
                    set.Session = null;
                    set.Signal.Release();
                    return (HttpStatusCode.NoContent, null);
                }

                break;
            case ["sessions", _]:
                return (HttpStatusCode.NotFound, Error("RunnerAdminException", "Failed to find the session ID that doesn't exist in redis"));
        }

        return (HttpStatusCode.NotFound, Error("NotFoundException", "Not found"));
    }

    private async Task<(HttpStatusCode, JsonNode?)> PollAsync(HttpContext http, string[] route)
    {
        if (route is not [var setText, var sid] || !long.TryParse(setText, out var setId))
        {
            return (HttpStatusCode.NotFound, Error("NotFoundException", "Not found"));
        }

        var last = long.TryParse(http.Request.Query["lastMessageId"], out var l) ? l : 0;
        if (!int.TryParse(http.Request.Headers["X-ScaleSetMaxCapacity"], out var capacity) || capacity < 0)
        {
            return (HttpStatusCode.BadRequest, Error("ArgumentException", "The X-ScaleSetMaxCapacity header is required"));
        }

        var auth = http.Request.Headers.Authorization.ToString();
        var deadline = _options.Time.GetUtcNow() + _options.ScaleSetPollWindow;
        EmulatedScaleSet? set;
        EmulatedScaleSetSession? session;
        lock (_sync)
        {
            var now = _options.Time.GetUtcNow();
            DropIdleSessions(now);
            if (!_scaleSets.TryGetValue(setId, out set) || set.Session is null || set.Session.Id.ToString() != sid)
            {
                return (HttpStatusCode.NotFound, Error("RunnerAdminException", "Failed to find the session ID that doesn't exist in redis"));
            }

            session = set.Session;
            if (auth != "Bearer " + session.Token || session.TokenExpiresAt <= now)
            {
                return (HttpStatusCode.Unauthorized, Error("UnauthorizedException", "The message queue token is invalid or expired"));
            }

            set.MaxCapacity = capacity;
            session.Polling++;
            session.LastSeen = now;
        }

        try
        {
            while (true)
            {
                lock (_sync)
                {
                    if (set.Session != session)
                    {
                        return (HttpStatusCode.NotFound, Error("RunnerAdminException", "Failed to find the session ID that doesn't exist in redis"));
                    }

                    if (NextMessage(set, session, last) is { } message)
                    {
                        return (HttpStatusCode.OK, message);
                    }
                }

                var left = deadline - _options.Time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    return (HttpStatusCode.Accepted, null);
                }

                try
                {
                    await set.Signal.WaitAsync(left, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return (HttpStatusCode.Accepted, null);
                }
            }
        }
        finally
        {
            lock (_sync)
            {
                session.Polling--;
                session.LastSeen = _options.Time.GetUtcNow();
            }
        }
    }

    /// <summary>
    /// The first unacknowledged message after <paramref name="last"/> or never handed to this session (a new session gets
    /// what an earlier one left unacknowledged), else a new one packed from pending job messages.
    /// </summary>
    private JsonObject? NextMessage(EmulatedScaleSet set, EmulatedScaleSetSession session, long last)
    {
        var unacknowledged = set.Unacknowledged.FirstOrDefault(m => m.Key > last || !session.Delivered.Contains(m.Key));
        if (unacknowledged.Value is null && set.Pending.Count > 0)
        {
            var batch = set.Pending.Take(MaxJobsPerMessage).ToList();
            set.Pending.RemoveRange(0, batch.Count);
            var id = Math.Max(set.NextMessageId, last + 1);
            set.NextMessageId = id + 1;
            unacknowledged = new(id, new JsonArray([.. batch]).ToJsonString());
            set.Unacknowledged[id] = unacknowledged.Value;
        }

        if (unacknowledged.Value is not null)
        {
            session.Delivered.Add(unacknowledged.Key);
        }

        return unacknowledged.Value is null ? null : new JsonObject
        {
            ["messageId"] = unacknowledged.Key,
            ["messageType"] = "RunnerScaleSetJobMessages",
            ["body"] = unacknowledged.Value,
            ["statistics"] = Statistics(set),
        };
    }

    private (HttpStatusCode, JsonNode?) Acknowledge(long setId, string sid, long messageId, string auth, DateTimeOffset now)
    {
        if (!_scaleSets.TryGetValue(setId, out var set) || set.Session is not { } session || session.Id.ToString() != sid)
        {
            return (HttpStatusCode.NotFound, Error("RunnerAdminException", "Failed to find the session ID that doesn't exist in redis"));
        }

        if (auth != "Bearer " + session.Token || session.TokenExpiresAt <= now)
        {
            return (HttpStatusCode.Unauthorized, Error("UnauthorizedException", "The message queue token is invalid or expired"));
        }

        if (set.Unacknowledged.Remove(messageId))
        {
            set.Acknowledged.Add(messageId);
        }

        return (HttpStatusCode.NoContent, null);
    }

    private (HttpStatusCode, JsonNode?) AcquireJobs(long setId, string auth, string requestBody, DateTimeOffset now)
    {
        if (!_scaleSets.TryGetValue(setId, out var set) || set.Session is not { } session)
        {
            return (HttpStatusCode.NotFound, Error("RunnerScaleSetNotFoundException", $"Runner scale set {setId} has no session"));
        }

        if (auth != "Bearer " + session.Token || session.TokenExpiresAt <= now)
        {
            return (HttpStatusCode.Unauthorized, Error("UnauthorizedException", "The message queue token is invalid or expired"));
        }

        var acquired = new JsonArray();
        foreach (var id in JsonNode.Parse(requestBody.Length == 0 ? "[]" : requestBody)!.AsArray().Select(i => i!.GetValue<long>()))
        {
            if (_jobs.TryGetValue(id, out var job) && job.ScaleSetId == setId && job.Status == "queued" && !job.Acquired)
            {
                job.Acquired = true;
                acquired.Add(id);
                if (!_options.AssignScaleSetJobsDirectly)
                {
                    ScaleSetJobMessageLocked(job, "JobAssigned", null);
                }
            }
        }

        return (HttpStatusCode.OK, new JsonObject { ["count"] = acquired.Count, ["value"] = acquired });
    }

    /// <summary>Assigns a newly queued job to the scale set covering its labels, the least loaded for its advertised capacity first.</summary>
    private void AssignToScaleSetLocked(EmulatedJob job)
    {
        var wanted = job.Labels.Where(l => !l.Equals("self-hosted", StringComparison.OrdinalIgnoreCase)).ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        var set = _scaleSets.Values
            .Where(s => Covers(s.Scope, job.Repository) && wanted.All(l => s.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)))
            .OrderBy(s => (double)_jobs.Values.Count(j => j.ScaleSetId == s.Id && j.Status != "completed") / Math.Max(1, s.MaxCapacity ?? 1))
            .ThenBy(s => s.Id)
            .FirstOrDefault();
        if (set is null)
        {
            return;
        }

        job.ScaleSetId = set.Id;
        ScaleSetJobMessageLocked(job, _options.AssignScaleSetJobsDirectly ? "JobAssigned" : "JobAvailable", null);
    }

    private void ScaleSetJobMessageLocked(EmulatedJob job, string type, string? result)
    {
        if (job.ScaleSetId is not { } setId || !_scaleSets.TryGetValue(setId, out var set))
        {
            return;
        }

        var parts = job.Repository.Split('/');
        var message = new JsonObject
        {
            ["messageType"] = type, ["runnerRequestId"] = job.Id, ["repositoryName"] = parts[1], ["ownerName"] = parts[0],
            ["jobId"] = job.Id.ToString(CultureInfo.InvariantCulture), ["jobWorkflowRef"] = $"{job.Repository}/.github/workflows/ci.yml@refs/heads/main",
            ["jobDisplayName"] = job.Name, ["workflowRunId"] = job.RunId, ["eventName"] = "push",
            ["requestLabels"] = new JsonArray([.. job.Labels.Select(l => (JsonNode)JsonValue.Create(l))]),
            ["queueTime"] = Time(job.CreatedAt), ["scaleSetAssignTime"] = Time(job.CreatedAt), ["runnerAssignTime"] = Time(job.StartedAt), ["finishTime"] = Time(job.CompletedAt),
        };
        if (type == "JobAvailable")
        {
            message["acquireJobUrl"] = $"{ActionsServiceUrl.AbsoluteUri}_apis/runtime/runnerscalesets/{setId}/acquirejobs";
        }

        if (type is "JobStarted" or "JobCompleted")
        {
            message["runnerId"] = job.RunnerId;
            message["runnerName"] = job.RunnerName;
        }

        if (result is not null)
        {
            message["result"] = result;
        }

        set.Pending.Add(message);
        set.Signal.Release();
    }

    private bool ScaleSetAllows(EmulatedRunner runner, EmulatedJob job) =>
        runner.ScaleSetId is { } setId
            ? job.ScaleSetId == setId && (_options.AssignScaleSetJobsDirectly || job.Acquired)
            : job.ScaleSetId is null;

    private JsonObject Statistics(EmulatedScaleSet set)
    {
        var jobs = _jobs.Values.Where(j => j.ScaleSetId == set.Id && j.Status != "completed").ToList();
        var direct = _options.AssignScaleSetJobsDirectly;
        var runners = _runners.Values.Where(r => r.ScaleSetId == set.Id).ToList();
        return new JsonObject
        {
            ["totalAvailableJobs"] = direct ? 0 : jobs.Count(j => j.Status == "queued" && !j.Acquired),
            ["totalAcquiredJobs"] = jobs.Count(j => j.Status == "queued" && j.Acquired),
            ["totalAssignedJobs"] = jobs.Count(j => direct || j.Acquired || j.Status != "queued"),
            ["totalRunningJobs"] = jobs.Count(j => j.Status == "in_progress"),
            ["totalRegisteredRunners"] = runners.Count,
            ["totalBusyRunners"] = runners.Count(r => r.Busy),
            ["totalIdleRunners"] = runners.Count(r => r.Online && !r.Busy),
        };
    }

    private void DropIdleSessions(DateTimeOffset now)
    {
        if (_options.ScaleSetSessionIdleTimeout is not { } idle)
        {
            return;
        }

        foreach (var set in _scaleSets.Values)
        {
            if (set.Session is { Polling: 0 } session && now - session.LastSeen > idle)
            {
                set.Session = null;
            }
        }
    }

    private EmulatedScaleSetSession NewSession(EmulatedScaleSet set, string owner)
    {
        var now = _options.Time.GetUtcNow();
        set.SessionOwners.Add(owner);
        var expires = now + _options.QueueTokenLifetime;
        return new EmulatedScaleSetSession { Id = Guid.NewGuid(), Owner = owner, Token = Jwt(expires), TokenExpiresAt = expires, LastSeen = now };
    }

    private JsonObject SessionJson(EmulatedScaleSet set, EmulatedScaleSetSession session) => new()
    {
        ["sessionId"] = session.Id.ToString(), ["ownerName"] = session.Owner, ["runnerScaleSet"] = ScaleSetJson(set),
        ["messageQueueUrl"] = $"{RootUrl.AbsoluteUri}_broker/{set.Id}/{session.Id}", ["messageQueueAccessToken"] = session.Token,
        ["statistics"] = Statistics(set),
    };

    private JsonObject ScaleSetJson(EmulatedScaleSet set) => new()
    {
        ["id"] = set.Id, ["name"] = set.Name, ["runnerGroupId"] = set.RunnerGroupId, ["runnerGroupName"] = _runnerGroups.GetValueOrDefault(set.RunnerGroupId),
        ["labels"] = new JsonArray([.. set.Labels.Select(l => (JsonNode)new JsonObject { ["type"] = "System", ["name"] = l })]),
        ["RunnerSetting"] = new JsonObject { ["disableUpdate"] = true }, ["statistics"] = Statistics(set),
    };

    private static JsonObject AgentJson(EmulatedRunner runner) => new()
    {
        ["id"] = runner.Id, ["name"] = runner.Name, ["runnerScaleSetId"] = runner.ScaleSetId ?? 0,
        ["status"] = runner.Online ? "online" : "offline", ["busy"] = runner.Busy,
    };

    private static List<string>? LabelNames(JsonNode? labels)
    {
        var names = labels?.AsArray().Select(l => l?["name"]?.GetValue<string>()).OfType<string>().Where(l => l.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return names is { Count: > 0 } ? names : null;
    }

    private static JsonObject List(List<JsonNode> items) => new() { ["count"] = items.Count, ["value"] = new JsonArray([.. items]) };

    private static JsonObject Error(string typeName, string message) =>
        new() { ["$id"] = "1", ["innerException"] = null, ["message"] = message, ["typeName"] = $"GitHub.DistributedTask.WebApi.{typeName}, GitHub.DistributedTask.WebApi", ["typeKey"] = typeName, ["errorCode"] = 0 };

    private static string Jwt(DateTimeOffset expires)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"typ":"JWT","alg":"RS256"}""")}.{Part($$"""{"exp":{{expires.ToUnixTimeSeconds()}}}""")}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
    }
}
