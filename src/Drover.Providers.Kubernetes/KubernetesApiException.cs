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
    /// <summary>Wraps <paramref name="inner"/> of <paramref name="operation"/> at <paramref name="provider"/>.</summary>
    public KubernetesApiException(string provider, string operation, HttpOperationException inner)
        : base(Describe(provider, operation, inner ?? throw new ArgumentNullException(nameof(inner))), inner)
    {
        StatusCode = inner.Response.StatusCode;
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
    public DateTimeOffset? RetryAt => null;

    /// <summary>True when the namespace's resource quota refused the pod (ARC retries such creates every 30 s).</summary>
    public bool QuotaExceeded => StatusCode == HttpStatusCode.Forbidden && Message.Contains("exceeded quota", StringComparison.Ordinal);

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
