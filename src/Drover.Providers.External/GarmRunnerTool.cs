using System.Text.Json.Serialization;

namespace Drover.Providers.External;

/// <summary>One runner download of <see cref="GarmBootstrapInstance.Tools"/> (GitHub's <c>RunnerApplicationDownload</c>).</summary>
internal sealed record GarmRunnerTool
{
    [JsonPropertyName("os")]
    public required string Os { get; init; }

    [JsonPropertyName("architecture")]
    public required string Architecture { get; init; }

    [JsonPropertyName("download_url")]
    public required string DownloadUrl { get; init; }

    [JsonPropertyName("filename")]
    public required string FileName { get; init; }

    [JsonPropertyName("sha256_checksum")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sha256Checksum { get; init; }
}
