using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Forges.GitHub.Api;

namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>
/// The Actions service of one configuration URL (an organisation, repository or enterprise): the runner-registration
/// exchange for its URL and admin token (renewed a minute before the token's <c>exp</c>, and at once after a 401), the
/// scale-set, runner and session calls with the admin token, and the message-queue calls with a session's queue token.
/// One attempt per call: the listener decides what to do with a failure. Tokens are never logged or put in messages.
/// </summary>
internal sealed class ActionsServiceClient : IDisposable
{
    private const string ApiVersion = "api-version=6.0-preview";
    private static readonly TimeSpan _renewBefore = TimeSpan.FromSeconds(60);
    private readonly GitHubApiClient _rest;
    private readonly string _scopePath;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _adminLock = new(1, 1);
    private (Uri Url, string Token, DateTimeOffset? ExpiresAt)? _admin;

    /// <param name="rest">The forge's REST client (registration tokens, the runner-registration exchange).</param>
    /// <param name="forgeUrl">The forge's API URL.</param>
    /// <param name="scope">The scope the scale sets live in.</param>
    /// <param name="time">The clock.</param>
    /// <param name="handler">The HTTP handler; a new one when null.</param>
    /// <param name="timeout">Per-request timeout of calls other than the long poll.</param>
    /// <param name="health">Where call outcomes are recorded (the forge's health).</param>
    public ActionsServiceClient(GitHubApiClient rest, Uri forgeUrl, PoolScope scope, TimeProvider time, HttpMessageHandler? handler, TimeSpan timeout, HealthRecorder? health)
    {
        _rest = rest;
        _scopePath = ScopePaths.Of(scope);
        ConfigUrl = ConfigUrlOf(forgeUrl, scope);
        _time = time;
        _timeout = timeout;
        Health = health;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary>The configuration URL the admin token is for (<c>https://github.com/org</c>).</summary>
    public string ConfigUrl { get; }

    /// <summary>Where call outcomes are recorded.</summary>
    public HealthRecorder? Health { get; }

    /// <summary>The web URL of a scope: github.com for api.github.com, the host without <c>/api/v3</c> for GHES.</summary>
    public static string ConfigUrlOf(Uri forgeUrl, PoolScope scope)
    {
        ArgumentNullException.ThrowIfNull(forgeUrl);
        ArgumentNullException.ThrowIfNull(scope);
        var web = forgeUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase)
            ? "https://github.com"
            : forgeUrl.Host.StartsWith("api.", StringComparison.OrdinalIgnoreCase) && forgeUrl.Host.EndsWith(".ghe.com", StringComparison.OrdinalIgnoreCase)
            ? $"{forgeUrl.Scheme}://{forgeUrl.Host[4..]}"
            : $"{forgeUrl.GetLeftPart(UriPartial.Authority)}{TrimApi(forgeUrl.AbsolutePath)}";
        var path = scope.Kind == ScopeKind.Enterprise ? $"enterprises/{scope.Path}" : scope.Path;
        return $"{web.TrimEnd('/')}/{path}";

        static string TrimApi(string path)
        {
            path = path.TrimEnd('/');
            return path.EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase) ? path[..^7] : path;
        }
    }

    // ---- runner groups and scale sets (admin token) ----

    /// <summary>The id of the runner group named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">No group or several groups have that name.</exception>
    public async Task<long> GetRunnerGroupIdAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await AdminAsync(HttpMethod.Get, $"_apis/runtime/runnergroups/?groupName={Uri.EscapeDataString(name)}", null, cancellationToken).ConfigureAwait(false);
        var groups = Values(answer);
        return groups.Count == 1 && groups[0].TryGetProperty("id", out var id)
            ? id.GetInt64()
            : throw new InvalidOperationException($"runner group '{name}' {(groups.Count == 0 ? "does not exist" : "is ambiguous")} at {ConfigUrl}");
    }

    /// <summary>The scale set named <paramref name="name"/> in the runner group, or null.</summary>
    public async Task<ScaleSetInfo?> GetScaleSetAsync(long runnerGroupId, string name, CancellationToken cancellationToken)
    {
        var answer = await AdminAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets?runnerGroupId={runnerGroupId}&name={Uri.EscapeDataString(name)}"), null, cancellationToken).ConfigureAwait(false);
        var sets = Values(answer);
        return sets.Count switch
        {
            0 => null,
            1 => ScaleSetInfo.Read(sets[0]),
            _ => throw new InvalidOperationException($"{sets.Count} scale sets are named '{name}' in runner group {runnerGroupId}"),
        };
    }

    /// <summary>Every scale set of the configuration URL.</summary>
    public async Task<IReadOnlyList<ScaleSetInfo>> ListScaleSetsAsync(CancellationToken cancellationToken) =>
        [.. Values(await AdminAsync(HttpMethod.Get, "_apis/runtime/runnerscalesets", null, cancellationToken).ConfigureAwait(false)).Select(ScaleSetInfo.Read)];

    /// <summary>Registers a scale set.</summary>
    public async Task<ScaleSetInfo> CreateScaleSetAsync(string name, long runnerGroupId, IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        ScaleSetInfo.Read(await AdminAsync(HttpMethod.Post, "_apis/runtime/runnerscalesets", ScaleSetBody(name, runnerGroupId, labels), cancellationToken).ConfigureAwait(false));

    /// <summary>Brings a scale set's name, group and labels to these.</summary>
    public async Task<ScaleSetInfo> UpdateScaleSetAsync(long id, string name, long runnerGroupId, IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        ScaleSetInfo.Read(await AdminAsync(HttpMethod.Patch, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets/{id}"), ScaleSetBody(name, runnerGroupId, labels), cancellationToken).ConfigureAwait(false));

    /// <summary>Deletes a scale set.</summary>
    public Task DeleteScaleSetAsync(long id, CancellationToken cancellationToken) =>
        AdminAsync(HttpMethod.Delete, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets/{id}"), null, cancellationToken);

    // ---- runners (admin token) ----

    /// <summary>A runner's JIT config from the scale set: its id and the encoded config (a secret).</summary>
    /// <exception cref="ActionsServiceException">409 <c>AgentExistsException</c>: the name is in use.</exception>
    public async Task<(long RunnerId, string EncodedJitConfig)> GenerateJitConfigAsync(long scaleSetId, string runnerName, CancellationToken cancellationToken)
    {
        var answer = await AdminAsync(HttpMethod.Post, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets/{scaleSetId}/generatejitconfig"), new Dictionary<string, string> { ["name"] = runnerName, ["workFolder"] = "_work" }, cancellationToken).ConfigureAwait(false);
        return answer.TryGetProperty("runner", out var runner) && runner.TryGetProperty("id", out var id) && id.TryGetInt64(out var runnerId)
            && answer.TryGetProperty("encodedJITConfig", out var jit) && jit.GetString() is { Length: > 0 } encoded
            ? (runnerId, encoded)
            : throw new ActionsServiceException(HttpStatusCode.OK, null, $"POST scale set {scaleSetId} generatejitconfig: the answer lacks 'runner.id' or 'encodedJITConfig'");
    }

    /// <summary>The runners of the configuration URL, optionally only the one named <paramref name="name"/>.</summary>
    public async Task<IReadOnlyList<ScaleSetRunner>> ListRunnersAsync(string? name, CancellationToken cancellationToken)
    {
        var path = "_apis/distributedtask/pools/0/agents" + (name is null ? string.Empty : $"?agentName={Uri.EscapeDataString(name)}");
        return [.. Values(await AdminAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false)).Select(r => new ScaleSetRunner(
            r.GetProperty("id").GetInt64(),
            r.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty,
            r.TryGetProperty("runnerScaleSetId", out var s) && s.TryGetInt64(out var set) ? set : 0,
            r.TryGetProperty("status", out var st) && st.GetString() == "online",
            r.TryGetProperty("busy", out var b) && b.ValueKind == JsonValueKind.True))];
    }

    /// <summary>Removes a runner; false when it was not there.</summary>
    /// <exception cref="GitHubRunnerBusyException">It still runs a job (<c>JobStillRunningException</c>).</exception>
    public async Task<bool> RemoveRunnerAsync(long runnerId, CancellationToken cancellationToken)
    {
        try
        {
            await AdminAsync(HttpMethod.Delete, string.Create(CultureInfo.InvariantCulture, $"_apis/distributedtask/pools/0/agents/{runnerId}"), null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ActionsServiceException e) when (e.Status == HttpStatusCode.NotFound || e.Is("AgentNotFoundException"))
        {
            return false;
        }
        catch (ActionsServiceException e) when (e.Is("JobStillRunningException"))
        {
            throw new GitHubRunnerBusyException(e.Message);
        }
    }

    // ---- sessions ----

    /// <summary>Opens the scale set's message session.</summary>
    /// <exception cref="ActionsServiceException">409 <c>RunnerScaleSetSessionConflictException</c>: another holder has one.</exception>
    public async Task<ScaleSetSession> CreateSessionAsync(long scaleSetId, string owner, CancellationToken cancellationToken) =>
        ReadSession(await AdminAsync(HttpMethod.Post, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets/{scaleSetId}/sessions"), new Dictionary<string, string> { ["sessionId"] = Guid.Empty.ToString(), ["ownerName"] = owner }, cancellationToken).ConfigureAwait(false));

    /// <summary>Renews the session's queue token in place.</summary>
    /// <exception cref="ActionsServiceException">404: the session is gone (evicted).</exception>
    public async Task RefreshSessionAsync(long scaleSetId, ScaleSetSession session, CancellationToken cancellationToken)
    {
        var fresh = ReadSession(await AdminAsync(HttpMethod.Patch, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets/{scaleSetId}/sessions/{session.Id}"), null, cancellationToken).ConfigureAwait(false));
        session.QueueToken = fresh.QueueToken;
        session.TokenExpiresAt = fresh.TokenExpiresAt;
        session.Statistics = fresh.Statistics ?? session.Statistics;
    }

    /// <summary>Closes the session; one already gone counts as closed.</summary>
    public async Task DeleteSessionAsync(long scaleSetId, ScaleSetSession session, CancellationToken cancellationToken)
    {
        try
        {
            await AdminAsync(HttpMethod.Delete, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets/{scaleSetId}/sessions/{session.Id}"), null, cancellationToken).ConfigureAwait(false);
        }
        catch (ActionsServiceException e) when (e.Status == HttpStatusCode.NotFound)
        {
        }
    }

    // ---- message queue (queue token) ----

    /// <summary>Long-polls the next message after <paramref name="lastMessageId"/>; null when the poll window passed without one (202).</summary>
    public async Task<ScaleSetMessage?> GetMessageAsync(ScaleSetSession session, long lastMessageId, int maxCapacity, TimeSpan pollTimeout, CancellationToken cancellationToken)
    {
        var url = lastMessageId > 0 ? $"{session.QueueUrl.AbsoluteUri}{(session.QueueUrl.Query.Length > 0 ? "&" : "?")}lastMessageId={lastMessageId.ToString(CultureInfo.InvariantCulture)}" : session.QueueUrl.AbsoluteUri;
        var (status, body) = await SendAsync(HttpMethod.Get, new Uri(url), null, session.QueueToken, "GET message", pollTimeout, maxCapacity, cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.Accepted || body.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = body.TryGetProperty("messageType", out var t) ? t.GetString() : null;
        if (type != "RunnerScaleSetJobMessages")
        {
            throw new FormatException($"message of type '{type}' is not RunnerScaleSetJobMessages");
        }

        return new ScaleSetMessage(body.GetProperty("messageId").GetInt64(), body.TryGetProperty("body", out var b) ? b.GetString() ?? "[]" : "[]", ScaleSetStatistics.Read(body));
    }

    /// <summary>Acknowledges (deletes) a message.</summary>
    public Task AcknowledgeAsync(ScaleSetSession session, long messageId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, new Uri($"{session.QueueUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{messageId.ToString(CultureInfo.InvariantCulture)}"), null, session.QueueToken, "DELETE message", _timeout, null, cancellationToken);

    /// <summary>Acquires available jobs by runner request id; returns the ids acquired.</summary>
    public async Task<IReadOnlyList<long>> AcquireJobsAsync(long scaleSetId, ScaleSetSession session, IReadOnlyList<long> requestIds, CancellationToken cancellationToken)
    {
        var admin = await AdminConnectionAsync(cancellationToken).ConfigureAwait(false);
        var (_, body) = await SendAsync(HttpMethod.Post, Service(admin.Url, string.Create(CultureInfo.InvariantCulture, $"_apis/runtime/runnerscalesets/{scaleSetId}/acquirejobs")), requestIds, session.QueueToken, "POST acquirejobs", _timeout, null, cancellationToken).ConfigureAwait(false);
        return [.. Values(body).Select(v => v.GetInt64())];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _http.Dispose();
        _adminLock.Dispose();
    }

    /// <summary>The <c>exp</c> of a JWT, read without verifying it; null when it is no JWT.</summary>
    internal static DateTimeOffset? JwtExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            using var json = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
            return json.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static Dictionary<string, object> ScaleSetBody(string name, long runnerGroupId, IReadOnlyList<string> labels) => new()
    {
        ["name"] = name,
        ["runnerGroupId"] = runnerGroupId,
        ["labels"] = labels.Select(l => new Dictionary<string, string> { ["type"] = "System", ["name"] = l }).ToList(),
        ["RunnerSetting"] = new Dictionary<string, bool> { ["disableUpdate"] = true },
    };

    private static ScaleSetSession ReadSession(JsonElement json)
    {
        var token = json.TryGetProperty("messageQueueAccessToken", out var t) ? t.GetString() : null;
        if (!json.TryGetProperty("sessionId", out var id) || id.GetString() is not { Length: > 0 } sessionId
            || !json.TryGetProperty("messageQueueUrl", out var url) || !Uri.TryCreate(url.GetString(), UriKind.Absolute, out var queueUrl) || token is not { Length: > 0 })
        {
            throw new ActionsServiceException(HttpStatusCode.OK, null, "the session answer lacks 'sessionId', 'messageQueueUrl' or 'messageQueueAccessToken'");
        }

        return new ScaleSetSession { Id = sessionId, QueueUrl = queueUrl, QueueToken = token, TokenExpiresAt = JwtExpiry(token), Statistics = ScaleSetStatistics.Read(json) };
    }

    private static List<JsonElement> Values(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray()] : [];

    private static Uri Service(Uri serviceUrl, string path)
    {
        var url = new Uri(serviceUrl.AbsoluteUri.EndsWith('/') ? serviceUrl : new Uri(serviceUrl.AbsoluteUri + "/"), path);
        return new Uri(url.AbsoluteUri + (url.Query.Length > 0 ? "&" : "?") + ApiVersion);
    }

    /// <summary>An admin-token call; a 401 renews the admin connection and tries once more.</summary>
    private async Task<JsonElement> AdminAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var admin = await AdminConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return (await SendAsync(method, Service(admin.Url, path), body, admin.Token, $"{method} {path.Split('?')[0]}", _timeout, null, cancellationToken).ConfigureAwait(false)).Body;
            }
            catch (ActionsServiceException e) when (e.Status == HttpStatusCode.Unauthorized && attempt == 0)
            {
                _admin = null;
            }
        }
    }

    /// <summary>The service URL and admin token, exchanged again when none is held or it expires within a minute.</summary>
    private async Task<(Uri Url, string Token, DateTimeOffset? ExpiresAt)> AdminConnectionAsync(CancellationToken cancellationToken)
    {
        if (_admin is { } held && (held.ExpiresAt is not { } exp || exp - _time.GetUtcNow() > _renewBefore))
        {
            return held;
        }

        await _adminLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_admin is { } again && (again.ExpiresAt is not { } e || e - _time.GetUtcNow() > _renewBefore))
            {
                return again;
            }

            var registration = await _rest.PostAsync($"{_scopePath}/actions/runners/registration-token", null, cancellationToken).ConfigureAwait(false);
            var token = registration.TryGetProperty("token", out var t) && t.GetString() is { Length: > 0 } value
                ? value
                : throw new GitHubApiException(HttpStatusCode.OK, $"POST {_scopePath}/actions/runners/registration-token: the answer lacks 'token'");
            var (url, admin) = await _rest.RegisterActionsServiceAsync(ConfigUrl, token, cancellationToken).ConfigureAwait(false);
            _admin = (url, admin, JwtExpiry(admin));
            return _admin.Value;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, Uri url, object? body, string bearer, string call, TimeSpan timeout, int? maxCapacity, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        request.Headers.TryAddWithoutValidation("User-Agent", """{"system":"drover","subsystem":"listener","kind":"scaleset"}""");
        if (maxCapacity is { } capacity)
        {
            request.Headers.TryAddWithoutValidation("X-ScaleSetMaxCapacity", capacity.ToString(CultureInfo.InvariantCulture));
            request.Headers.Accept.ParseAdd("application/json; api-version=6.0-preview");
        }

        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
            if (!response.IsSuccessStatusCode)
            {
                var (typeName, message) = ErrorOf(text);
                var retryAt = response.Headers.RetryAfter is { } after
                    ? after.Delta is { } delta ? _time.GetUtcNow() + delta : after.Date
                    : (DateTimeOffset?)null;
                var error = new ActionsServiceException(response.StatusCode, typeName, $"{call}: {(int)response.StatusCode} {response.ReasonPhrase}{(message is null ? string.Empty : $": {message}")}", retryAt);
                if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized)
                {
                    Health?.Succeeded();
                }
                else
                {
                    Health?.Failed(error);
                }

                throw error;
            }

            Health?.Succeeded();
            if (text.Length == 0)
            {
                return (response.StatusCode, default);
            }

            using var document = JsonDocument.Parse(text);
            return (response.StatusCode, document.RootElement.Clone());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var timedOut = new TimeoutException($"{call}: no answer within {timeout.TotalSeconds:0} s");
            Health?.Failed(timedOut);
            throw timedOut;
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            Health?.Failed(e);
            throw;
        }
    }

    private static (string? TypeName, string? Message) ErrorOf(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? (root.TryGetProperty("typeName", out var t) ? t.GetString() : null, root.TryGetProperty("message", out var m) ? m.GetString() : null)
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, text.Length > 200 ? text[..200] : text.Length == 0 ? null : text);
        }
    }
}
