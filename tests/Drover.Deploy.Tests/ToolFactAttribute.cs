namespace Drover.Deploy.Tests;

/// <summary>
/// A fact that needs a program on PATH (helm and promtool, which scripts/test.sh installs): skipped with a reason
/// when it is missing, except under CI=true, where the test runs and fails instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string program)
    {
        if (Tools.Find(program) is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{program} is not on PATH";
        }
    }
}

/// <summary>A theory that needs a program on PATH, skipped or failed as <see cref="ToolFactAttribute"/> is.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(string program)
    {
        if (Tools.Find(program) is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{program} is not on PATH";
        }
    }
}
