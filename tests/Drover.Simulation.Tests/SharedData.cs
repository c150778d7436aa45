namespace Drover.Simulation.Tests;

/// <summary>The shared traces under <c>../shared/data/traces</c> (see <see cref="Testing.SharedData"/>).</summary>
internal static class SharedData
{
    public const string Traces = "data/traces";

    /// <summary>Full path of a file under <c>../shared/data/traces</c>; throws with the reason when the folder is absent.</summary>
    public static string TracePath(string fileName) => Testing.SharedData.FilePath(Traces, fileName);
}
