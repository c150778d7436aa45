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
            labels: [linux, gpu, gpu-set]
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

    [Theory]
    [InlineData("ephemeral: false\n    github: { scaleSet: {} }", "pools[0].ephemeral", "runs ephemeral runners only")]
    [InlineData("github: { scaleSet: { name: arm-set } }", "pools[0].labels", "must include its scale set's name 'arm-set'")]
    public void Validate_ScaleSetPoolAgainstTheRestOfThePool_ReportedAtTheField(string section, string path, string words)
    {
        var result = Load("    " + section);

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0 && error.Column > 0);
    }

    [Fact]
    public void Validate_TwoPoolsServeOneScaleSet_TheSecondIsReportedAtItsName()
    {
        var result = Load("""
                github: { scaleSet: { name: gpu-set } }
              - name: gpu-too
                forge: github
                scope: { org: acme }
                labels: [gpu-set]
                provider: local
                github: { scaleSet: { name: GPU-SET } }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("pools[1].github.scaleSet.name", error.Path);
        Assert.Equal(18, error.Line);
        Assert.Contains("pool 'linux' serves the same scale set 'GPU-SET'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_ScaleSetAddedChangedOrRemoved_IsRefusedAsStartBound_TheSameSetIsNot()
    {
        var running = Load("    github: { scaleSet: { name: gpu-set } }").Config!;

        Assert.Empty(ReloadRules.AdapterChanges(running, Load("    github: { scaleSet: { name: gpu-set } }")));
        var removed = Assert.Single(ReloadRules.AdapterChanges(running, Load("    github: { runnerGroupId: 3 }")));
        var renamed = Assert.Single(ReloadRules.AdapterChanges(running, Load("    github: { scaleSet: { name: linux } }")));
        var added = Assert.Single(ReloadRules.AdapterChanges(Load("    github: { runnerGroupId: 3 }").Config!, Load("    github: { scaleSet: { name: gpu-set } }")));

        Assert.Equal(("pools[0]", 6), (removed.Path, removed.Line));
        Assert.Contains("pool 'linux' no longer has scale set 'gpu-set' (runner group 'default')", removed.Message, StringComparison.Ordinal);
        Assert.Contains("pool 'linux' changed scale set 'gpu-set' (runner group 'default') to scale set 'linux'", renamed.Message, StringComparison.Ordinal);
        Assert.Contains("pool 'linux' now has scale set 'gpu-set'", added.Message, StringComparison.Ordinal);
        Assert.All([removed, renamed, added], e => Assert.Contains("restart it to apply this", e.Message, StringComparison.Ordinal));
    }

    private static ConfigLoadResult Load(string github)
    {
        var catalog = new AdapterCatalog().Add(new GitHubModule()).Add(new TestProviderModule("stand-in", (_, _) => throw new InvalidOperationException("not built in this test")));
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        return loader.LoadFromString(Fleet.Replace("POOL_FORGE_SECTION", github, StringComparison.Ordinal), "fleet.yaml");
    }
}
