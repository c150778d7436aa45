using System.Globalization;

namespace Drover.Providers.Ec2;

/// <summary>
/// Renders an instance's user data: a cloud-init shell script (Linux) or an EC2Launch PowerShell script (Windows) that
/// trades the one-time bootstrap token for the runner credential at Drover
/// (<c>GET {bootstrapUrl}/api/v1/bootstrap/credential</c>), starts the GitHub runner with its JIT configuration or
/// <c>gitlab-runner run-single</c> with its <c>glrt-</c> token, and shuts the instance down when the runner exits.
/// The scripts are embedded resources (<c>Scripts/</c>); the golden files of the tests show them rendered.
/// </summary>
internal static class UserDataScript
{
    /// <summary>The credential kind of a GitHub JIT configuration.</summary>
    public const string JitConfig = "jit-config";

    /// <summary>The credential kind of a GitLab runner authentication token.</summary>
    public const string RunnerToken = "runner-token";

    /// <summary>What the script needs; nothing of it is secret but <see cref="Token"/>, which is single-use.</summary>
    /// <param name="Os">The image's operating system.</param>
    /// <param name="CredentialKind">jit-config (GitHub) or runner-token (GitLab).</param>
    /// <param name="DroverUrl">Drover's URL as instances reach it.</param>
    /// <param name="Token">The one-time bootstrap token.</param>
    /// <param name="Validity">How long the token is valid.</param>
    /// <param name="Pool">The runner's pool.</param>
    /// <param name="RunnerName">The runner's name.</param>
    /// <param name="RunnerDir">Where the runner is on the image.</param>
    /// <param name="RunnerVersion">The GitHub runner version installed when the image has none.</param>
    /// <param name="ForgeUrl">The GitLab instance's URL (GitLab only).</param>
    internal sealed record Values(
        InstanceOs Os, string CredentialKind, Uri DroverUrl, string Token, TimeSpan Validity, string Pool, string RunnerName, string RunnerDir, string RunnerVersion, Uri? ForgeUrl);

    /// <summary>The user data for <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The credential is of a kind no script starts a runner with.</exception>
    public static string Render(Values values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var (shell, extension) = values.Os == InstanceOs.Windows ? ("windows", "ps1") : ("linux", "sh");
        var forge = values.CredentialKind switch
        {
            JitConfig => "github",
            RunnerToken => "gitlab",
            _ => throw new ArgumentException($"no {shell} user data starts a runner with a '{values.CredentialKind}' credential (expected {JitConfig} or {RunnerToken})", nameof(values)),
        };
        var runner = Resource($"{shell}-{forge}.{extension}").TrimEnd('\n');
        var script = Resource($"{shell}.{extension}").Replace("{{runner}}", runner, StringComparison.Ordinal);
        var quote = values.Os == InstanceOs.Windows ? (Func<string, string>)PowerShellQuoted : ShellQuoted;
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["{{droverUrl}}"] = quote(values.DroverUrl.ToString()),
            ["{{token}}"] = quote(values.Token),
            ["{{validity}}"] = Duration(values.Validity),
            ["{{pool}}"] = values.Pool,
            ["{{runnerName}}"] = quote(values.RunnerName),
            ["{{runnerDir}}"] = quote(values.RunnerDir),
            ["{{runnerVersion}}"] = values.RunnerVersion,
            ["{{forgeUrl}}"] = quote(values.ForgeUrl?.ToString().TrimEnd('/') ?? ""),
        };
        foreach (var (placeholder, value) in replacements)
        {
            script = script.Replace(placeholder, value, StringComparison.Ordinal);
        }

        return script.TrimEnd('\n');
    }

    /// <summary>Text safe inside a single-quoted shell word.</summary>
    private static string ShellQuoted(string text) => text.Replace("'", "'\\''", StringComparison.Ordinal);

    /// <summary>Text safe inside a single-quoted PowerShell string.</summary>
    private static string PowerShellQuoted(string text) => text.Replace("'", "''", StringComparison.Ordinal);

    private static string Duration(TimeSpan span) => span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes)
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} minutes")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0} seconds");

    private static string Resource(string name)
    {
        var assembly = typeof(UserDataScript).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Drover.Providers.Ec2.Scripts.{name}")
            ?? throw new InvalidOperationException($"the script {name} is not embedded in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
