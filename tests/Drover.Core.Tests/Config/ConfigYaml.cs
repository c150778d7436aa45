using Drover.Core.Config;

namespace Drover.Core.Tests.Config;

/// <summary>
/// Builds small configuration texts with known line numbers. <see cref="Header"/> is lines 1-11; the first pool
/// starts at line 12 with <c>- name:</c> at column 5, each field of <see cref="Pool"/> on the next line.
/// </summary>
internal static class ConfigYaml
{
    public const string FileName = "fleet.yaml";

    public const string Header = """
        forges:
          - name: github
            kind: github
            auth: { token: env:GITHUB_TOKEN }
          - name: gitlab
            kind: gitlab
            auth: { token: env:GITLAB_TOKEN }
        providers:
          - name: k8s
            type: kubernetes
        pools:
        """;

    /// <summary>Five lines (name, forge, scope, labels/tags, provider), then <paramref name="extra"/> lines, each indented by four.</summary>
    public static string Pool(
        string name = "linux",
        string forge = "github",
        string scope = "{ org: acme }",
        string labels = "labels: [linux]",
        string provider = "k8s",
        params string[] extra)
    {
        var lines = new List<string>
        {
            $"  - name: {name}",
            $"    forge: {forge}",
            $"    scope: {scope}",
            $"    {labels}",
            $"    provider: {provider}",
        };
        lines.AddRange(extra.Select(e => "    " + e));
        return string.Join('\n', lines);
    }

    public static string Fleet(params string[] pools) => Header + "\n" + string.Join('\n', pools) + "\n";

    public static ConfigLoadResult Load(string text, FleetConfigValidationOptions? options = null) =>
        new FleetConfigLoader(options).LoadFromString(text, FileName);

    /// <summary>Asserts that loading failed with exactly one error, at the given place.</summary>
    public static ConfigError AssertSingleError(ConfigLoadResult result, int line, int column, string path, string messagePart)
    {
        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        AssertError(error, line, column, path, messagePart);
        return error;
    }

    public static void AssertError(ConfigError error, int line, int column, string path, string messagePart)
    {
        Assert.Equal(FileName, error.File);
        Assert.Equal((line, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    public static void AssertValid(ConfigLoadResult result)
    {
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.NotNull(result.Config);
    }
}
