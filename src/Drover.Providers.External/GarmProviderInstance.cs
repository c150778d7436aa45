using System.Text.Json.Serialization;

namespace Drover.Providers.External;

/// <summary>
/// GARM's <c>ProviderInstance</c> (<c>garm-provider-common/params/params.go</c>): what <c>CreateInstance</c> and
/// <c>GetInstance</c> write on stdout, and <c>ListInstances</c> a JSON array of.
/// </summary>
internal sealed record GarmProviderInstance
{
    /// <summary>The statuses a provider may report (GARM's <c>ValidateResult</c> refuses any other, and an empty one).</summary>
    public static IReadOnlyList<string> Statuses { get; } = ["running", "stopped", "error", "unknown"];

    [JsonPropertyName("provider_id")]
    public string? ProviderId { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("os_type")]
    public string? OsType { get; init; }

    [JsonPropertyName("os_name")]
    public string? OsName { get; init; }

    [JsonPropertyName("os_version")]
    public string? OsVersion { get; init; }

    [JsonPropertyName("os_arch")]
    public string? OsArch { get; init; }

    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>Base64 of the provider's words on a fault (a Go <c>[]byte</c>).</summary>
    [JsonPropertyName("provider_fault")]
    public string? ProviderFault { get; init; }

    /// <summary>
    /// What is wrong with this instance by GARM's <c>ValidateResult</c> rules (non-empty <c>provider_id</c> and
    /// <c>name</c>, a known <c>status</c>, a base64 <c>provider_fault</c>); null when it is valid.
    /// </summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(ProviderId))
        {
            return "missing provider_id";
        }

        if (string.IsNullOrEmpty(Name))
        {
            return "missing name";
        }

        if (string.IsNullOrEmpty(Status))
        {
            return "missing status (running, stopped, error or unknown)";
        }

        if (!Statuses.Contains(Status, StringComparer.Ordinal))
        {
            return $"status '{Status}' is not one of running, stopped, error, unknown";
        }

        return ProviderFault is { Length: > 0 } && Fault() is null ? "provider_fault is not base64" : null;
    }

    /// <summary>The decoded <c>provider_fault</c>; null when absent or not base64.</summary>
    public string? Fault()
    {
        if (string.IsNullOrEmpty(ProviderFault))
        {
            return null;
        }

        var buffer = new byte[ProviderFault.Length];
        return Convert.TryFromBase64String(ProviderFault, buffer, out var written) ? System.Text.Encoding.UTF8.GetString(buffer, 0, written) : null;
    }
}
