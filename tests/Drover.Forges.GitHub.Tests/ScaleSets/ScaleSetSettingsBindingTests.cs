using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Forges.GitHub.ScaleSets;
using Drover.Testing.Modules;

namespace Drover.Forges.GitHub.Tests.ScaleSets;

/// <summary>A pool's <c>github.scaleSet</c> block, bound with its file positions.</summary>
public sealed class ScaleSetSettingsBindingTests
{
    private const string Fleet = """
        forges:
          - { name: github, kind: github, auth: { token: env:GITHUB_TOKEN } }
        providers:
          - { name: local, type: stand-in }
        pools:
          - name: linux
            forge: github
            scope: { org: acme }
            labels: [linux, gpu]
            provider: local
            max: 4
        POOL_FORGE_SECTION
        """;

    [Fact]
    public void Bind_FullBlock_ReachesThePoolTyped()
    {
        var result = Load("""
                github:
                  scaleSet: { name: gpu-set, runnerGroup: ci, delete: false }
            """);

        Assert.Empty(result.Errors);
        var settings = Assert.IsType<GitHubPoolSettings>(result.Config!.Pools[0].ForgeSettings);
        Assert.Equal(new ScaleSetSettings("gpu-set", "ci", false), settings.ScaleSet);
    }

    [Fact]
    public void Bind_EmptyBlock_NameOfThePoolDefaultGroup()
    {
        var result = Load("""
                github:
                  scaleSet:
            """);

        Assert.Empty(result.Errors);
        var pool = result.Config!.Pools[0];
        var settings = ((GitHubPoolSettings)pool.ForgeSettings!).ScaleSet!;
        Assert.Equal(("linux", "default", false), (settings.NameFor(pool), settings.RunnerGroup, settings.Delete));
    }

    [Fact]
    public void Bind_NoBlock_NotAScaleSetPool()
    {
        var result = Load("""
                github: { runnerGroupId: 3 }
            """);

        Assert.Empty(result.Errors);
        Assert.Null(((GitHubPoolSettings)result.Config!.Pools[0].ForgeSettings!).ScaleSet);
    }

    [Theory]
    [InlineData("github: { scaleSet: { name: 'gpu set' } }", "pools[0].github.scaleSet.name", "not a scale set name")]
    [InlineData("github: { scaleSet: { runnerGroup: '' } }", "pools[0].github.scaleSet.runnerGroup", "")]
    [InlineData("github: { scaleSet: { nmae: x } }", "pools[0].github.scaleSet.nmae", "name")]
    [InlineData("github: { scaleSet: { delete: maybe } }", "pools[0].github.scaleSet.delete", "")]
    [InlineData("github: { runnerGroupId: 2, scaleSet: {} }", "pools[0].github.runnerGroupId", "scaleSet.runnerGroup")]
    public void Bind_BadBlock_IsReportedAtItsPathAndPosition(string github, string path, string words)
    {
        var result = Load("    " + github);

        var error = Assert.Single(result.Errors, e => e.Path == path);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0 && error.Column > 0);
    }

    private static ConfigLoadResult Load(string github)
    {
        var catalog = new AdapterCatalog().Add(new GitHubModule()).Add(new TestProviderModule("stand-in", (_, _) => throw new InvalidOperationException("not built in this test")));
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        return loader.LoadFromString(Fleet.Replace("POOL_FORGE_SECTION", github, StringComparison.Ordinal), "fleet.yaml");
    }
}
