namespace Drover.Server.Tests;

/// <summary>
/// A fact that needs Prometheus' <c>promtool</c> (Debian package <c>prometheus</c>, which scripts/test.sh installs):
/// skipped with a reason when it is missing, except under CI=true, where the test runs and fails instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (Promtool.Path is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "promtool is not installed (Debian package 'prometheus'; scripts/test.sh installs it)";
        }
    }
}
