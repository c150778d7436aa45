namespace Drover.Architecture.Tests;

/// <summary>Assertions that print every violation in full, one a line.</summary>
internal static class Expect
{
    /// <summary>Fails with each of <paramref name="violations"/> on its own line unless there are none.</summary>
    public static void NoViolations(IEnumerable<string> violations)
    {
        var all = violations.ToList();
        Assert.True(all.Count == 0, $"{all.Count} architecture rule violation(s):{Environment.NewLine}{string.Join(Environment.NewLine, all)}");
    }
}
