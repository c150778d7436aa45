using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

public sealed class PoolShadowingRuleTests
{
    [Fact]
    public void Validate_SameLabelsAndScope_ReportsPoolWithLaterName()
    {
        var result = Load(Fleet(Pool(name: "b"), Pool(name: "a")));

        AssertSingleError(result, 15, 13, "pools[0].labels", "pool 'b' never gets a job: pool 'a' covers its scope and labels, and wins with the same priority (0) and its name sorts first");
    }

    [Fact]
    public void Validate_NarrowerPoolWithHigherPriority_IsNotShadowed()
    {
        var result = Load(Fleet(Pool(name: "b", extra: ["priority: 1"]), Pool(name: "a")));

        AssertSingleError(result, 21, 13, "pools[1].labels", "pool 'a' never gets a job: pool 'b' covers its scope and labels, and wins with higher priority (1 > 0)");
    }

    [Fact]
    public void Validate_RepoPoolUnderOrgPoolWithSupersetLabels_IsShadowed()
    {
        var result = Load(Fleet(
            Pool(name: "org", labels: "labels: [Linux, X64, docker]", extra: ["priority: 5"]),
            Pool(name: "repo", scope: "{ repo: acme/web }", labels: "labels: [self-hosted, linux, x64]")));

        AssertSingleError(result, 21, 13, "pools[1].labels", "pool 'repo' never gets a job: pool 'org'");
    }

    [Fact]
    public void Validate_SubsetLabelsOnTheOtherSide_IsNotShadowed()
    {
        // The repo pool needs [linux, gpu]; the org pool offers only [linux], so gpu jobs still reach the repo pool.
        var result = Load(Fleet(
            Pool(name: "a-org", extra: ["priority: 5"]),
            Pool(name: "repo", scope: "{ repo: acme/web }", labels: "labels: [linux, gpu]")));

        AssertValid(result);
    }

    [Fact]
    public void Validate_ScopeNotWithin_IsNotShadowed()
    {
        var result = Load(Fleet(Pool(name: "a", scope: "{ repo: acme/api }"), Pool(name: "b", scope: "{ repo: acme/web }")));

        AssertValid(result);
    }

    [Fact]
    public void Validate_EnterpriseCoversOrg_IsShadowed()
    {
        var result = Load(Fleet(Pool(name: "org"), Pool(name: "ent", scope: "{ enterprise: acme-corp }", extra: ["priority: 1"])));

        AssertSingleError(result, 15, 13, "pools[0].labels", "pool 'org' never gets a job: pool 'ent'");
    }

    [Fact]
    public void Validate_DifferentForges_AreNotCompared()
    {
        var result = Load(Fleet(
            Pool(name: "a", forge: "gitlab", scope: "{ instance: true }", labels: "tags: [linux]"),
            Pool(name: "b")));

        AssertValid(result);
    }

    [Fact]
    public void Validate_GitLabSubsetTags_IsShadowed()
    {
        var result = Load(Fleet(
            Pool(name: "docker", forge: "gitlab", scope: "{ group: platform/api }", labels: "tags: [docker]"),
            Pool(name: "all", forge: "gitlab", scope: "{ group: platform }", labels: "tags: [docker, linux]", extra: ["runUntagged: true"])));

        AssertSingleError(result, 15, 11, "pools[0].tags", "pool 'docker' never gets a job: pool 'all' covers its scope and tags");
    }

    [Fact]
    public void Validate_GitLabUntaggedOnlyOnNarrowerPool_IsNotShadowed()
    {
        // Untagged jobs can only go to 'docker', so it is not shadowed by 'all'.
        var result = Load(Fleet(
            Pool(name: "docker", forge: "gitlab", scope: "{ group: platform }", labels: "tags: [docker]", extra: ["runUntagged: true"]),
            Pool(name: "all", forge: "gitlab", scope: "{ group: platform }", labels: "tags: [docker, linux]")));

        AssertValid(result);
    }

    [Fact]
    public void Validate_GitLabTagsCompareOrdinally_IsNotShadowed()
    {
        var result = Load(Fleet(
            Pool(name: "b", forge: "gitlab", scope: "{ group: platform }", labels: "tags: [Docker]"),
            Pool(name: "a", forge: "gitlab", scope: "{ group: platform }", labels: "tags: [docker]")));

        AssertValid(result);
    }
}
