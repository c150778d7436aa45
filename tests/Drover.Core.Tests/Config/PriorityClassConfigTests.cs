using Drover.Core.Config;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary><c>priorityClasses:</c>: bound in order, refused at their place when they could not work as written.</summary>
public sealed class PriorityClassConfigTests
{
    private static string Shared(string classes, string header = Header) =>
        (header + "\n" + Pool(extra: ["team: web"]) + "\n").Replace("    type: kubernetes\n", "    type: kubernetes\n    maxRunners: 8\n", StringComparison.Ordinal)
        + "teams:\n  - name: web\n" + classes;

    /// <summary>The 1-based line and column where <paramref name="part"/> starts in <paramref name="text"/>.</summary>
    private static (int Line, int Column) Where(string text, string part, string? from = null)
    {
        var at = text.IndexOf(part, from is null ? 0 : text.IndexOf(from, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{part}' is not in the text");
        var before = text[..at];
        return (before.Count(c => c == '\n') + 1, at - before.LastIndexOf('\n'));
    }

    [Fact]
    public void PriorityClasses_Valid_AreBoundInOrder()
    {
        var result = Load(Shared("priorityClasses:\n  - name: release\n    match: [default-branch, deployments, tags]\n  - name: reviews\n    match: [pull-requests]\n"));

        AssertValid(result);
        var classes = result.Config!.PriorityClasses;
        Assert.Equal(["release", "reviews"], classes.Select(c => c.Name));
        Assert.Equal([PriorityMatch.DefaultBranch, PriorityMatch.Deployments, PriorityMatch.Tags], classes[0].Match);
        Assert.Equal([PriorityMatch.PullRequests], classes[1].Match);

        // GitHub tells pull requests only from what its poller lists: said as a warning, at the match.
        var warning = Assert.Single(result.Warnings);
        var text = Shared("priorityClasses:\n  - name: release\n    match: [default-branch, deployments, tags]\n  - name: reviews\n    match: [pull-requests]\n");
        var (line, _) = Where(text, "match: [pull-requests]");
        Assert.Equal((line, "priorityClasses[1].match[0]"), (warning.Line, warning.Path));
        Assert.Contains("poller", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_Unknown_IsRefusedAtItsPlaceWithTheChoices()
    {
        var text = Shared("priorityClasses:\n  - name: release\n    match: [default-branch, nightly]\n");

        var (line, column) = Where(text, "nightly");
        var error = AssertSingleError(Load(text), line, column, "priorityClasses[0].match[1]", "unknown match 'nightly'");
        Assert.Contains("default-branch, tags, deployments, pull-requests, branches", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_InTwoClasses_IsRefusedWhereItCouldNeverApply()
    {
        var text = Shared("priorityClasses:\n  - name: release\n    match: [default-branch]\n  - name: main\n    match: [branches, default-branch]\n");

        var (line, column) = Where(text, "default-branch]\n", from: "name: main");
        AssertSingleError(Load(text), line, column, "priorityClasses[1].match[1]", "already matched by priority class 'release'");
    }

    [Fact]
    public void Match_Missing_IsRefused()
    {
        var text = Shared("priorityClasses:\n  - name: release\n");

        var (line, column) = Where(text, "name: release");
        AssertSingleError(Load(text), line, column, "priorityClasses[0].match", "required field 'match' is missing");
    }

    [Fact]
    public void Match_Empty_IsRefused()
    {
        var text = Shared("priorityClasses:\n  - name: release\n    match: []\n");

        var (line, column) = Where(text, "[]");
        AssertSingleError(Load(text), line, column, "priorityClasses[0].match", "a priority class matches at least one of: default-branch");
    }

    [Fact]
    public void Tags_WithOnlyGitHubForges_IsRefusedAsNeverMatching()
    {
        var gitHubOnly = Header.Replace("  - name: gitlab\n    kind: gitlab\n    auth: { token: env:GITLAB_TOKEN }\n", string.Empty, StringComparison.Ordinal);
        var text = Shared("priorityClasses:\n  - name: release\n    match: [default-branch, tags]\n", gitHubOnly);

        var (line, column) = Where(text, "tags]");
        AssertSingleError(Load(text), line, column, "priorityClasses[0].match[1]", "no forge of this fleet tells tags");
    }

    [Fact]
    public void PriorityClasses_WithoutASharedCapacity_AreRefusedAsWithoutEffect()
    {
        var text = Fleet(Pool()) + "priorityClasses:\n  - name: release\n    match: [default-branch]\n";

        var (line, column) = Where(text, "name: release");
        AssertSingleError(Load(text), line, column, "priorityClasses[0]", "no pool places runners on a provider with maxRunners");
    }

    [Fact]
    public void PriorityClasses_DuplicateName_IsRefused()
    {
        var result = Load(Shared("priorityClasses:\n  - name: release\n    match: [default-branch]\n  - name: release\n    match: [deployments]\n"));

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path.StartsWith("priorityClasses", StringComparison.Ordinal) && e.Message.Contains("release", StringComparison.Ordinal));
    }
}
