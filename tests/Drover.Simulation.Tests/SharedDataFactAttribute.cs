namespace Drover.Simulation.Tests;

/// <summary>
/// A fact that needs <c>../shared</c>: skipped with the reason when the folder is absent, unless <c>CI=true</c>,
/// where the test runs and fails on the missing data.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
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
