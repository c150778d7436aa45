namespace Drover.Testing;

/// <summary>
/// A fact that needs <c>../shared/<see cref="Folder"/></c>: skipped with the reason when it is absent, unless
/// <c>CI=true</c>, where the test runs and fails on the missing data.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string folder)
    {
        Folder = folder;
        if (SharedData.Folder(folder) is null && !SharedData.IsRequired)
        {
            Skip = SharedData.MissingMessage(folder);
        }
    }

    /// <summary>The folder under <c>../shared</c> the test reads, e.g. <c>data/traces</c>.</summary>
    public string Folder { get; }
}
