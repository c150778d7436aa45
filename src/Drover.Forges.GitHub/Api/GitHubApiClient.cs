using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Forges.GitHub.Auth;

namespace Drover.Forges.GitHub.Api;

/// <summary>
/// A small typed client for the GitHub REST calls Drover makes, over one <see cref="HttpClient"/>
/// (<see cref="SocketsHttpHandler"/>) against a base URL — <c>https://api.github.com</c> or a GitHub Enterprise
/// Server's <c>https://HOST/api/v3</c>. Every call goes through the forge's <see cref="RateLimitGate"/>; GET calls may
/// be conditional (<c>If-None-Match</c> with the last ETag: an unchanged page is answered 304 and costs no rate limit);
/// lists follow <c>Link: rel="next"</c>, only ever to the same host. Errors name the call and GitHub's message, never
/// a credential.
/// </summary>
public sealed class GitHubApiClient : IDisposable
{
    private const int MaxCachedPages = 4096;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _base;
    private readonly string _basePath;
    private readonly ConcurrentDictionary<string, (string ETag, byte[] Body, string? Next)> _etags = new(StringComparer.Ordinal);
    private long _sent;
    private long _notModified;

    /// <param name="baseUrl">The API root.</param>
    /// <param name="gate">The forge's rate-limit gate.</param>
    /// <param name="handler">The HTTP handler; a <see cref="SocketsHttpHandler"/> when null.</param>
    /// <param name="timeout">Per-request timeout.</param>
    /// <param name="health">Where every call's outcome is recorded (the forge's health); none when null.</param>
    public GitHubApiClient(Uri baseUrl, RateLimitGate gate, HttpMessageHandler? handler = null, TimeSpan? timeout = null, HealthRecorder? health = null)
    {
        Health = health;
        ArgumentNullException.ThrowIfNull(baseUrl);
        Gate = gate ?? throw new ArgumentNullException(nameof(gate));
        _base = baseUrl;
        _basePath = baseUrl.AbsoluteUri.TrimEnd('/');
        _ownsHttp = true;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All }, disposeHandler: handler is null)
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("drover", "1.0"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        _http.DefaultRequestHeaders.Add("X-GitHub-Api-Version", "2022-11-28");
    }

    /// <summary>How the client authenticates; set once before the first call.</summary>
    public IGitHubAuth? Auth { get; set; }

    /// <summary>The outcomes of this client's calls (successes, failures with their error text, rate limits); null when not recorded.</summary>
    public HealthRecorder? Health { get; }

    /// <summary>The rate-limit gate every call passes.</summary>
    public RateLimitGate Gate { get; }

    /// <summary>Requests sent (304s included).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Conditional requests answered 304 Not Modified.</summary>
    public long NotModified => Interlocked.Read(ref _notModified);

    /// <summary>GETs <paramref name="path"/> (relative to the base URL, with its query) and returns the JSON body.</summary>
    /// <param name="path">e.g. <c>/repos/o/r/actions/runs?status=queued</c>.</param>
    /// <param name="conditional">Send the last ETag; a 304 returns the remembered body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<JsonElement> GetAsync(string path, bool conditional, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, Absolute(path), null, conditional, null, cancellationToken).ConfigureAwait(false)).Body;

    /// <summary>GETs every page of a list, following <c>Link: rel="next"</c>, and returns the items of <paramref name="itemsProperty"/> (or of the top-level array when null).</summary>
    public async Task<IReadOnlyList<JsonElement>> GetAllPagesAsync(string path, string? itemsProperty, bool conditional, CancellationToken cancellationToken, int maxPages = 100)
    {
        var items = new List<JsonElement>();
        var url = Absolute(path);
        for (var page = 0; url is not null && page < maxPages; page++)
        {
            var response = await SendAsync(HttpMethod.Get, url, null, conditional, null, cancellationToken).ConfigureAwait(false);
            var list = itemsProperty is null ? response.Body : response.Body.TryGetProperty(itemsProperty, out var p) ? p : default;
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new GitHubApiException(HttpStatusCode.OK, $"GET {Describe(url)}: expected an array{(itemsProperty is null ? string.Empty : $" in '{itemsProperty}'")}");
            }

            items.AddRange(list.EnumerateArray());
            url = response.Next is { } next ? SameOrigin(next) : null;
        }

        return items;
    }

    /// <summary>POSTs a JSON body and returns the JSON answer.</summary>
    public async Task<JsonElement> PostAsync(string path, object? body, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, Absolute(path), body, false, null, cancellationToken).ConfigureAwait(false)).Body;

    /// <summary>DELETEs <paramref name="path"/>; returns false when it was not there (404).</summary>
    /// <exception cref="GitHubRunnerBusyException">GitHub refused with 422 (a runner still running a job).</exception>
    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, Absolute(path), null, false, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (GitHubApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (GitHubApiException e) when (e.Status == HttpStatusCode.UnprocessableEntity)
        {
            throw new GitHubRunnerBusyException(e.Message);
        }
    }

    /// <summary>Exchanges an app JWT for an installation token (<c>POST /app/installations/{id}/access_tokens</c>).</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> ExchangeAppTokenAsync(string jwt, long installationId, CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"/app/installations/{installationId}/access_tokens");
        var body = (await SendAsync(HttpMethod.Post, Absolute(path), null, false, "Bearer " + jwt, cancellationToken).ConfigureAwait(false)).Body;
        if (body.TryGetProperty("token", out var token) && token.GetString() is { Length: > 0 } value
            && body.TryGetProperty("expires_at", out var expires) && expires.TryGetDateTimeOffset(out var expiresAt))
        {
            return (value, expiresAt);
        }

        throw new GitHubApiException(HttpStatusCode.OK, $"POST {path}: the answer lacks 'token' or 'expires_at'");
    }

    /// <summary>
    /// The runner-registration exchange behind runner scale sets (<c>POST /actions/runner-registration</c>, authorised
    /// with <c>RemoteAuth</c> and a registration token): the Actions service URL and its admin token for
    /// <paramref name="configUrl"/>. Both values are needed; the token is a secret.
    /// </summary>
    internal async Task<(Uri ServiceUrl, string AdminToken)> RegisterActionsServiceAsync(string configUrl, string registrationToken, CancellationToken cancellationToken)
    {
        var body = (await SendAsync(HttpMethod.Post, Absolute("/actions/runner-registration"), new Dictionary<string, string> { ["url"] = configUrl, ["runner_event"] = "register" }, false, "RemoteAuth " + registrationToken, cancellationToken).ConfigureAwait(false)).Body;
        if (body.ValueKind == JsonValueKind.Object
            && body.TryGetProperty("url", out var url) && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var serviceUrl)
            && body.TryGetProperty("token", out var token) && token.GetString() is { Length: > 0 } adminToken)
        {
            return (serviceUrl, adminToken);
        }

        throw new GitHubApiException(HttpStatusCode.OK, "POST /actions/runner-registration: the answer lacks 'url' or 'token'");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<(JsonElement Body, string? Next)> SendAsync(HttpMethod method, string url, object? body, bool conditional, string? authorization, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await SendOnceAsync(method, url, body, conditional, authorization, cancellationToken).ConfigureAwait(false);
            Health?.Succeeded();
            return answer;
        }
        catch (GitHubApiException e) when (Health is not null && e.Status == HttpStatusCode.UnprocessableEntity && method == HttpMethod.Delete)
        {
            // A runner still running a job: GitHub answered; the forge is fine.
            Health.Succeeded();
            throw;
        }
        catch (Exception e) when (Health is not null && !cancellationToken.IsCancellationRequested)
        {
            Health.Failed(e);
            throw;
        }
    }

    private async Task<(JsonElement Body, string? Next)> SendOnceAsync(HttpMethod method, string url, object? body, bool conditional, string? authorization, CancellationToken cancellationToken)
    {
        var call = $"{method} {Describe(url)}";
        for (var attempt = 0; ; attempt++)
        {
            using var lease = await Gate.EnterAsync(method.Method, Describe(url), cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, url);
            var auth = authorization ?? (Auth is { } a ? await a.AuthorizationAsync(cancellationToken).ConfigureAwait(false) : null);
            if (auth is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", auth);
            }

            if (body is not null)
            {
                request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
            }

            (string ETag, byte[] Body, string? Next) cached = default;
            var useCache = conditional && method == HttpMethod.Get && _etags.TryGetValue(url, out cached);
            if (useCache)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", cached.ETag);
            }

            Interlocked.Increment(ref _sent);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var next = response.Headers.TryGetValues("Link", out var links) ? LinkHeader.Find(string.Join(",", links), "next") : null;
            if (response.StatusCode == HttpStatusCode.NotModified && useCache)
            {
                Interlocked.Increment(ref _notModified);
                Gate.Observe(call, response.StatusCode, response.Headers);

                // The page is as it was, and so is its link to the next one: a 304 need not repeat the Link header, and
                // a list that stopped here would lose every later page's items.
                return (Parse(cached.Body!, call), next ?? cached.Next);
            }

            var message = response.IsSuccessStatusCode ? null : ErrorMessage(bytes);
            if (Gate.Observe(call, response.StatusCode, response.Headers, message) is { } limited)
            {
                throw limited;
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && authorization is null && Auth is not null && attempt == 0)
            {
                // An installation token can be revoked or expire early: fetch a fresh one once.
                Auth.Invalidate();
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new GitHubApiException(response.StatusCode, $"{call}: {(int)response.StatusCode} {response.ReasonPhrase}{(message is null ? string.Empty : $": {message}")}");
            }

            if (method == HttpMethod.Get && response.Headers.ETag is { } etag)
            {
                if (_etags.Count >= MaxCachedPages)
                {
                    _etags.Clear();
                }

                _etags[url] = (etag.ToString(), bytes, next);
            }

            return (bytes.Length == 0 ? default : Parse(bytes, call), next);
        }
    }

    private static JsonElement Parse(byte[] bytes, string call)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new GitHubApiException(HttpStatusCode.OK, $"{call}: the answer is not JSON ({e.Message})");
        }
    }

    private static string? ErrorMessage(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string Absolute(string path) => _basePath + (path.StartsWith('/') ? path : "/" + path);

    private string SameOrigin(string next)
    {
        if (Uri.TryCreate(next, UriKind.Absolute, out var uri)
            && uri.Scheme == _base.Scheme && string.Equals(uri.Host, _base.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == _base.Port)
        {
            return uri.AbsoluteUri;
        }

        throw new GitHubApiException(HttpStatusCode.OK, $"pagination: next page {Describe(next)} is not on {_base.Host}; not followed");
    }

    /// <summary>The URL without scheme and host, for messages.</summary>
    private string Describe(string url) => url.StartsWith(_basePath, StringComparison.Ordinal) ? url[_basePath.Length..] : url;
}
