namespace Drover.Forges.GitHub.Tests.Support;

/// <summary>The GitHub fixtures under <c>../shared/data/fixtures/github</c> (see <see cref="Testing.SharedData"/>).</summary>
internal static class GitHubFixtures
{
    public const string Fixtures = "data/fixtures/github";

    /// <summary>Full path of a fixture (e.g. <c>workflow_job/queued.payload.json</c>); throws with the reason when the folder is absent.</summary>
    public static string FixturePath(string fileName) => Testing.SharedData.FilePath(Fixtures, fileName);

    /// <summary>Every fixture file of a folder under the fixtures, as paths relative to them; empty when the data is absent.</summary>
    public static IEnumerable<string> FixturesIn(string folder)
    {
        if (Testing.SharedData.Folder(Fixtures) is not { } root)
        {
            return [];
        }

        return Directory.EnumerateFiles(Path.Combine(root, folder), "*.json").Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal);
    }
}
