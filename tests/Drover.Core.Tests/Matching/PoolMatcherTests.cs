using Drover.Core.Config;
using Drover.Core.Matching;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Matching;

public sealed class PoolMatcherTests
{
    private static PoolConfig GitLabPool(string name, string[] tags, bool untagged = false) =>
        Pool(name, forge: "gitlab") with { Labels = [], Tags = tags, RunUntagged = untagged, Scope = new PoolScope(ScopeKind.Group, "acme") };

    [Theory]
    [InlineData(new[] { "linux" }, true)]
    [InlineData(new[] { "self-hosted", "linux", "x64" }, true)]
    [InlineData(new[] { "SELF-HOSTED", "Linux" }, true)]
    [InlineData(new[] { "self-hosted" }, true)]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "linux", "gpu" }, false)]
    [InlineData(new[] { "ubuntu-latest" }, false)]
    public void GitHubMatches_EveryRequestedLabelOnPool_CaseInsensitiveSelfHostedImplied(string[] job, bool expected)
    {
        Assert.Equal(expected, LabelRules.GitHubMatches(["linux", "x64"], job));
    }

    [Theory]
    [InlineData(new[] { "docker" }, false, true)]
    [InlineData(new[] { "docker", "linux" }, false, true)]
    [InlineData(new[] { "docker", "gpu" }, false, false)]
    [InlineData(new string[0], false, false)]
    [InlineData(new string[0], true, true)]
    public void GitLabMatches_EveryJobTagOnPool_UntaggedOnlyWithRunUntagged(string[] job, bool runUntagged, bool expected)
    {
        Assert.Equal(expected, LabelRules.GitLabMatches(["docker", "linux"], runUntagged, job));
    }

    [Fact]
    public void Match_ScopeOutsidePool_DoesNotMatch()
    {
        var pool = Pool("web") with { Scope = new PoolScope(ScopeKind.Repository, "acme/web") };
        var matcher = new PoolMatcher(Fleet(pool));

        Assert.Equal("web", matcher.Match("github", ["web"], "acme/web")?.Name);
        Assert.Null(matcher.Match("github", ["web"], "acme/api"));
        Assert.Null(matcher.Match("github", ["web"], "acme/web-two"));
    }

    [Fact]
    public void Match_OtherForge_DoesNotMatch()
    {
        var matcher = new PoolMatcher(Fleet(Pool("linux"), GitLabPool("docker", ["linux"])));

        Assert.Equal("docker", matcher.Match("gitlab", ["linux"], "acme/app")?.Name);
        Assert.Equal("linux", matcher.Match("github", ["linux"], "acme/app")?.Name);
    }

    [Fact]
    public void Match_GitLabUntaggedJob_GoesOnlyToRunUntaggedPool()
    {
        var matcher = new PoolMatcher(Fleet(GitLabPool("a-tagged", ["docker"]), GitLabPool("b-untagged", ["docker"], untagged: true)));

        Assert.Equal("b-untagged", matcher.Match("gitlab", [], "acme/app")?.Name);
        Assert.Equal("a-tagged", matcher.Match("gitlab", ["docker"], "acme/app")?.Name);
    }

    [Fact]
    public void Assign_ManyPools_UsesPrecedenceWithinLabelIndex()
    {
        var pools = Enumerable.Range(0, 50).Select(i => Pool($"p{i:D2}", labels: ["linux", $"l{i % 5}"], priority: i % 3)).ToArray();
        var matcher = new PoolMatcher(Fleet(pools));
        var jobs = Enumerable.Range(0, 10).Select(i => Queued(i.ToString(), $"l{i % 5}")).ToList();

        var result = matcher.Assign(jobs);

        foreach (var job in jobs)
        {
            var expected = pools.Where(p => p.Labels.Contains(job.Labels[0])).OrderByDescending(p => p.Priority).ThenBy(p => p.Name, StringComparer.Ordinal).First();
            Assert.Contains(job, result.For(expected.Name));
        }

        Assert.Empty(result.Unmatched);
    }
}
