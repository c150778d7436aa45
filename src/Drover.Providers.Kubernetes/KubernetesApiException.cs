using System.Globalization;
using System.Net;
using System.Text.Json;
using Drover.Core.Adapters;
using k8s.Autorest;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// A refused API call, with the API server's own words: e.g. <c>403 Forbidden: exceeded quota: runners, requested:
/// pods=1, used: pods=20, limited: pods=20</c>. The engine records the message as the runner's failure.
/// </summary>
internal sealed class KubernetesApiException : Exception, IClassifiedFailure
{
    /// <summary>
    /// Wraps <paramref name="inner"/> of <paramref name="operation"/> at <paramref name="provider"/>; a <c>429</c>'s
    /// wait (its <c>Retry-After</c>, or the Status' <c>details.retryAfterSeconds</c>) is counted from <paramref name="now"/>.
    /// </summary>
    public KubernetesApiException(string provider, string operation, HttpOperationException inner, DateTimeOffset now)
        : base(Describe(provider, operation, inner ?? throw new ArgumentNullException(nameof(inner))), inner)
    {
        StatusCode = inner.Response.StatusCode;
        RetryAt = StatusCode == HttpStatusCode.TooManyRequests && RetryAfter(inner) is { } wait ? now + wait : null;
    }

    /// <summary>
    /// A refusal the API server stated in a Status object (a watch's <c>ERROR</c> event, or a test's fake): its
    /// <paramref name="status"/> and <paramref name="message"/>.
    /// </summary>
    internal KubernetesApiException(string provider, string operation, HttpStatusCode status, string message, Exception? inner = null)
        : base($"kubernetes {provider}: {operation}: {(int)status} {status}: {message}", inner)
    {
        StatusCode = status;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <inheritdoc/>
    /// <remarks>A refused quota is an outage of capacity, not a configuration error: it is transient.</remarks>
    public CallFailureKind FailureKind => QuotaExceeded ? CallFailureKind.Transient : CallFailures.FromStatus(StatusCode);

    /// <inheritdoc/>
    /// <remarks>For a <c>429 TooManyRequests</c>: when the API server said to come back; otherwise null.</remarks>
    public DateTimeOffset? RetryAt { get; }

    /// <summary>True when the namespace's resource quota refused the pod (ARC retries such creates every 30 s).</summary>
    public bool QuotaExceeded => StatusCode == HttpStatusCode.Forbidden && Message.Contains("exceeded quota", StringComparison.Ordinal);

    /// <summary>The wait a refusal asks for: its <c>Retry-After</c> header (seconds), else its Status' <c>details.retryAfterSeconds</c>.</summary>
    private static TimeSpan? RetryAfter(HttpOperationException e)
    {
        if (e.Response.Headers is { } headers && headers.TryGetValue("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        try
        {
            using var status = JsonDocument.Parse(e.Response.Content ?? string.Empty);
            if (status.RootElement.ValueKind == JsonValueKind.Object
                && status.RootElement.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object
                && details.TryGetProperty("retryAfterSeconds", out var after) && after.TryGetInt32(out var said) && said >= 0)
            {
                return TimeSpan.FromSeconds(said);
            }
        }
        catch (JsonException)
        {
            // Not a Status object: no wait stated.
        }

        return null;
    }

    private static string Describe(string provider, string operation, HttpOperationException e)
    {
        var message = e.Response.Content;
        try
        {
            using var status = JsonDocument.Parse(e.Response.Content ?? string.Empty);
            if (status.RootElement.TryGetProperty("message", out var text) && text.GetString() is { } said)
            {
                message = said;
            }
        }
        catch (JsonException)
        {
            // Not a Status object: keep the body as it is.
        }

        return $"kubernetes {provider}: {operation}: {(int)e.Response.StatusCode} {e.Response.StatusCode}: {message}";
    }
}
