using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Drover.Core.Adapters;

namespace Drover.Forges.GitLab.Api;

/// <summary>
/// GitLab's REST API v4 under a base URL (gitlab.com or a self-managed instance): the token in <c>PRIVATE-TOKEN</c>,
/// every request through a <see cref="RequestBudget"/>, pagination by <c>X-Next-Page</c>, a 429 waited out once per
/// its <c>Retry-After</c>. Error messages carry the method, path and GitLab's message, never the token.
/// </summary>
public sealed class GitLabApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<string> _token;

    /// <param name="baseUrl">The instance, e.g. <c>https://gitlab.com</c>; <c>/api/v4</c> is appended.</param>
    /// <param name="token">The access token, read for every request (a rotated secret file is picked up).</param>
    /// <param name="budget">The request budget.</param>
    /// <param name="handler">The HTTP handler; a new one when null.</param>
    /// <param name="timeout">Timeout of one request.</param>
    /// <param name="health">Where every call's outcome is recorded (the forge's health); none when null.</param>
    public GitLabApiClient(Uri baseUrl, Func<string> token, RequestBudget budget, HttpMessageHandler? handler, TimeSpan timeout, HealthRecorder? health = null)
    {
        Health = health;
        ArgumentNullException.ThrowIfNull(baseUrl);
        _token = token ?? throw new ArgumentNullException(nameof(token));
        Budget = budget ?? throw new ArgumentNullException(nameof(budget));
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = new Uri(baseUrl.ToString().TrimEnd('/') + "/api/v4/");
        _http.Timeout = timeout;
    }

    /// <summary>The request budget (and GitLab's last reported remaining requests).</summary>
    public RequestBudget Budget { get; }

    /// <summary>The outcomes of this client's calls (successes, failures with their error text, rate limits); null when not recorded.</summary>
    public HealthRecorder? Health { get; }

    /// <summary>Requests sent, for tests and metrics.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private int _requests;

    /// <summary>GET one object or array.</summary>
    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) =>
        TrackAsync(() => GetOnceAsync(path, cancellationToken), cancellationToken);

    /// <summary>GET every page of a list (following <c>X-Next-Page</c>, 100 per page).</summary>
    public Task<IReadOnlyList<JsonElement>> GetAllPagesAsync(string path, CancellationToken cancellationToken) =>
        TrackAsync(() => GetAllPagesOnceAsync(path, cancellationToken), cancellationToken);

    /// <summary>POST a JSON body; returns the answer.</summary>
    public Task<JsonElement> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        TrackAsync(() => PostOnceAsync(path, body, cancellationToken), cancellationToken);

    /// <summary>DELETE; false when the object was already gone (404).</summary>
    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken) =>
        TrackAsync(() => DeleteOnceAsync(path, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    /// <summary>Runs one API call and records its outcome in <see cref="Health"/>.</summary>
    private async Task<T> TrackAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            var result = await call().ConfigureAwait(false);
            Health?.Succeeded();
            return result;
        }
        catch (Exception e) when (Health is not null && !cancellationToken.IsCancellationRequested)
        {
            Health.Failed(e);
            throw;
        }
    }

    private async Task<JsonElement> GetOnceAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, Budget, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<JsonElement>> GetAllPagesOnceAsync(string path, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        var page = "1";
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        while (!string.IsNullOrEmpty(page))
        {
            using var response = await SendAsync(HttpMethod.Get, $"{path}{separator}per_page=100&page={page}", null, cancellationToken).ConfigureAwait(false);
            var body = await ReadAsync(response, Budget, cancellationToken).ConfigureAwait(false);
            if (body.ValueKind != JsonValueKind.Array)
            {
                throw new GitLabApiException(response.StatusCode, $"GET {path}: expected a list");
            }

            items.AddRange(body.EnumerateArray());
            page = response.Headers.TryGetValues("X-Next-Page", out var next) ? next.FirstOrDefault()?.Trim() : null;
        }

        return items;
    }

    private async Task<JsonElement> PostOnceAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, Budget, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> DeleteOnceAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ReadAsync(response, Budget, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await Budget.TakeAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, path.TrimStart('/'));
            request.Headers.Add("PRIVATE-TOKEN", _token());
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            Interlocked.Increment(ref _requests);
            var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Budget.Observe(response);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt > 0)
            {
                return response;
            }

            // Rate limited: the budget now holds GitLab's Retry-After; wait it out once.
            response.Dispose();
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, RequestBudget budget, CancellationToken cancellationToken)
    {
        var method = response.RequestMessage?.Method.Method ?? "?";
        var path = response.RequestMessage?.RequestUri?.AbsolutePath ?? "?";
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var message = text;
            try
            {
                using var error = JsonDocument.Parse(text);
                message = error.RootElement.TryGetProperty("message", out var m) ? m.ToString() : error.RootElement.TryGetProperty("error", out var e) ? e.ToString() : text;
            }
            catch (JsonException)
            {
                // Not JSON: keep the text.
            }

            throw new GitLabApiException(
                response.StatusCode,
                $"{method} {path}: {(int)response.StatusCode} {response.StatusCode}: {message}",
                response.StatusCode == HttpStatusCode.TooManyRequests ? budget.BlockedUntil : null);
        }

        if (text.Length == 0)
        {
            return default;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
