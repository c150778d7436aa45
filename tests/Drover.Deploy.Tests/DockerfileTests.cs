namespace Drover.Deploy.Tests;

/// <summary>
/// The Dockerfile, read as text (there is no container engine where the tests run, so the image is not built here;
/// deploy/README.md): its final stage labels the image with the OCI annotations from build arguments, runs as the
/// unprivileged uid 1654 and starts the published single-file <c>drover</c>.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string[] _lines = Instructions(File.ReadAllText(Path.Combine(Tools.RepositoryRoot, "Dockerfile")));

    [Fact]
    public void FinalStage_OciLabelsFromBuildArguments()
    {
        var stage = FinalStage();
        var arguments = stage.Where(l => l.StartsWith("ARG ", StringComparison.Ordinal)).Select(l => l[4..].Split('=')[0]).ToHashSet(StringComparer.Ordinal);
        var labels = Labels(stage);

        Assert.Equal("drover", labels["org.opencontainers.image.title"]);
        Assert.False(string.IsNullOrWhiteSpace(labels["org.opencontainers.image.description"]));
        foreach (var (label, argument) in new[] { ("source", "SOURCE"), ("licenses", "LICENSES"), ("version", "VERSION"), ("revision", "REVISION") })
        {
            Assert.Equal($"${{{argument}}}", labels[$"org.opencontainers.image.{label}"]);
            Assert.Contains(argument, arguments);
        }
    }

    [Fact]
    public void FinalStage_NonRootUserAndThePublishedDroverEntrypoint()
    {
        var stage = FinalStage();

        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/runtime-deps:", stage[0], StringComparison.Ordinal);
        Assert.Equal("USER 1654:1654", stage.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.Equal("ENTRYPOINT [\"/app/drover\"]", Assert.Single(stage, l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal)));
        Assert.Contains("COPY --from=build /app/drover /app/drover", stage);

        var publish = Assert.Single(_lines, l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal));
        Assert.Contains("--self-contained", publish, StringComparison.Ordinal);
        Assert.Contains("-p:PublishSingleFile=true", publish, StringComparison.Ordinal);
        Assert.Contains("-o /app", publish, StringComparison.Ordinal);
    }

    private static List<string> FinalStage()
    {
        var from = Array.FindLastIndex(_lines, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.True(from > 0, "the Dockerfile has no build stage before the final one");
        return [.. _lines[from..]];
    }

    /// <summary>The key="value" pairs of the stage's LABEL instructions.</summary>
    private static Dictionary<string, string> Labels(List<string> stage)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in stage.Where(l => l.StartsWith("LABEL ", StringComparison.Ordinal)))
        {
            var rest = line[6..].Trim();
            while (rest.Length > 0)
            {
                var equals = rest.IndexOf('=', StringComparison.Ordinal);
                Assert.True(equals > 0 && rest.Length > equals + 1 && rest[equals + 1] == '"', $"LABEL pair is not key=\"value\": {rest}");
                var close = rest.IndexOf('"', equals + 2);
                Assert.True(close > 0, $"unterminated LABEL value: {rest}");
                labels.Add(rest[..equals], rest[(equals + 2)..close]);
                rest = rest[(close + 1)..].Trim();
            }
        }

        return labels;
    }

    /// <summary>The instructions, one a line: comments dropped and backslash continuations joined.</summary>
    private static string[] Instructions(string text)
    {
        var instructions = new List<string>();
        var current = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            current = current.Length == 0 ? line : $"{current} {line}";
            if (current.EndsWith('\\'))
            {
                current = current[..^1].TrimEnd();
                continue;
            }

            if (current.Length > 0)
            {
                instructions.Add(current);
            }

            current = string.Empty;
        }

        return [.. instructions];
    }
}
