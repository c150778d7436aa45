namespace Drover.Testing;

/// <summary>
/// A fact that needs the Debian <c>chromium</c> browser (which scripts/test.sh installs): skipped with a reason when
/// <see cref="ExecutablePath"/> is missing, except under CI=true, where the test runs and fails instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath) && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{ExecutablePath} is not installed (Debian package 'chromium'; scripts/test.sh installs it)";
        }
    }
}
