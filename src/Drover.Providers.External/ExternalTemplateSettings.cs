using System.Text.Json.Nodes;

namespace Drover.Providers.External;

/// <summary>
/// A pool's <c>template.external</c>: what GARM keeps on a pool (flavor, image, OS type and architecture, extra specs)
/// and passes in the <c>BootstrapInstance</c>.
/// </summary>
internal sealed record ExternalTemplateSettings
{
    /// <summary>The keys of <c>template.external</c>.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["flavor", "image", "osType", "arch", "extraSpecs", "sshKeys", "runnerGroup"];

    /// <summary>The OS types GARM knows.</summary>
    public static IReadOnlyList<string> OsTypes { get; } = ["linux", "windows"];

    /// <summary>The architectures GARM knows.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["amd64", "arm64", "arm", "i386"];

    /// <summary>The provider-specific size.</summary>
    public string Flavor { get; init; } = string.Empty;

    /// <summary>The provider-specific image; the pool's <c>template.image</c> when not written.</summary>
    public string? Image { get; init; }

    /// <summary><c>linux</c> (default) or <c>windows</c>.</summary>
    public string OsType { get; init; } = "linux";

    /// <summary><c>amd64</c> (default), <c>arm64</c>, <c>arm</c> or <c>i386</c>.</summary>
    public string Arch { get; init; } = "amd64";

    /// <summary>The pool's extra specs, a JSON object opaque to Drover; null when not written.</summary>
    public JsonObject? ExtraSpecs { get; init; }

    /// <summary>SSH public keys for the instance.</summary>
    public IReadOnlyList<string> SshKeys { get; init; } = [];

    /// <summary>The GitHub runner group.</summary>
    public string RunnerGroup { get; init; } = string.Empty;
}
