namespace Drover.Forges.GitHub.Tests.Support;

/// <summary>
/// A fact that reads the GitHub fixtures under <c>../shared/data/fixtures/github</c>: skipped with the reason when
/// they are absent, except under CI=true, where the test runs and fails instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Directory is null && !SharedData.IsRequired)
        {
            Skip = SharedData.MissingMessage;
        }
    }
}
