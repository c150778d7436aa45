using Drover.Core.Config;
using Drover.Testing.Fuzz;

namespace Drover.Core.Tests.Config;

/// <summary>
/// A fixed-seed slice of fuzzing: examples/fleet.yaml with random characters inserted, deleted and replaced (odd
/// Unicode line breaks, control characters, lone surrogates, escapes, YAML indicators, aliases) goes through the loader
/// and validator. Only a <see cref="ConfigLoadResult"/> may come out, never an exception, and every error is located.
/// <c>DROVER_FUZZ_INPUTS=N</c> runs N inputs instead of the CI slice's 2,000.
/// </summary>
public sealed class ConfigFuzzTests
{
    /// <summary>2,000 in CI; <c>DROVER_FUZZ_INPUTS</c> sets the count (the long form).</summary>
    private static int Inputs => Fuzzer.Budget(2000);

    private static readonly string[] _pieces =
    [
        "\u2028", "\u2029", "\u0085", "\t", "\0", "\uFEFF", "\ud800", "\udc00", "\U0001F600", "\u001B", "\r", "\n", "\r\n",
        "\"", "'", "\\", "\\ud800", "\\u2028", "\\L", "\\x4", "\\U0011FFFF", "\\q", "{", "}", "[", "]", ":", ": ", ",", "-", "- ",
        "#", "&a ", "*a", "&b [*a, *a, *a, *a] ", "<<: *a", "!!", "!!binary ", "|", ">", "%YAML 1.1\n", "---\n", "...\n", "?", "@",
        "`", " ", "  ", "a", "0", "1e999", "~", "null", "é", "env:", "file:", "file:rel",
    ];

    [Fact]
    public void LoadFromString_MutatedExampleFleet_OnlyLocatedErrorsComeOut()
    {
        var fleet = File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", "fleet.yaml"));
        var loader = new FleetConfigLoader();
        var random = new Random(20261207);
        var unreadable = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var text = Fuzzer.MutateText(fleet, random, _pieces, maxMutations: 4, replaceBelow: (char)0x3000);
            ConfigLoadResult result;
            try
            {
                result = loader.LoadFromString(text, "fuzz.yaml");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Assert.Fail($"input {i} threw {e.GetType().Name}: {e.Message}\n--- input ---\n{Escape(text)}");
                throw;
            }

            foreach (var error in result.Errors)
            {
                Assert.True(error.Line >= 1 && error.Column >= 1 && error.File == "fuzz.yaml", $"input {i}: unlocated error '{error}'\n--- input ---\n{Escape(text)}");
            }

            unreadable += result.Errors.Any(e => e.Message.StartsWith("invalid YAML", StringComparison.Ordinal) || e.Message.StartsWith("the character", StringComparison.Ordinal)) ? 1 : 0;
        }

        // The mutations must reach both the YAML reader's refusals and the binder and validator behind it.
        Assert.InRange(unreadable, Inputs / 10, Inputs * 9 / 10);
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is '\n' or (>= ' ' and < '\u007F') ? c.ToString() : $"\\u{(int)c:X4}"));

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
    }
}
