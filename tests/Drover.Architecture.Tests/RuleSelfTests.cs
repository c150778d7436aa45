namespace Drover.Architecture.Tests;

/// <summary>Each rule fails, with a message naming the offence and the rule, on a made-up breach.</summary>
public sealed class RuleSelfTests
{
    [Fact]
    public void Core_ReferencingEngine_IsNamedWithTheRule()
    {
        var violation = Assert.Single(Layering.Violations("Drover.Core", ["YamlDotNet", "Drover.Engine"], "test"));

        Assert.Contains("Drover.Core references Drover.Engine", violation, StringComparison.Ordinal);
        Assert.Contains("Drover.Core references no other Drover project", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Engine_ReferencingSimulation_IsNamedWithTheRule()
    {
        var violation = Assert.Single(Layering.Violations("Drover.Engine", ["Drover.Core", "Polly.Core", "Drover.Simulation"], "test"));

        Assert.Contains("Drover.Engine references Drover.Simulation", violation, StringComparison.Ordinal);
        Assert.Contains("Drover.Engine references only Drover.Core", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Drover.Forges.GitHub")]
    [InlineData("Drover.Providers.Kubernetes")]
    [InlineData("Drover.Simulation")]
    public void Server_ReferencingAnAdapterOrTheSimulator_IsNamedWithTheRule(string reference)
    {
        var violation = Assert.Single(Layering.Violations("Drover.Server", ["Drover.Engine", "Drover.Storage", "Drover.Core", reference], "test"));

        Assert.Contains($"Drover.Server references {reference}", violation, StringComparison.Ordinal);
        Assert.Contains(Layering.ServerRule, violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_ReachingTheSimulatorThroughStorage_IsNamed()
    {
        var graph = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["Drover.Server"] = ["Drover.Engine", "Drover.Storage"],
            ["Drover.Engine"] = ["Drover.Core"],
            ["Drover.Storage"] = ["Drover.Core", "Drover.Simulation"],
            ["Drover.Simulation"] = ["Drover.Core"],
        };

        var reached = Layering.Closure("Drover.Server", graph);
        var violation = Assert.Single(Layering.Violations("Drover.Server", reached, "test"));

        Assert.Equal(["Drover.Core", "Drover.Engine", "Drover.Simulation", "Drover.Storage"], reached.Order(StringComparer.Ordinal));
        Assert.Contains("Drover.Server references Drover.Simulation", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Adapter_ReferencingAnotherAdapter_IsNamedWithTheRule()
    {
        var violation = Assert.Single(Layering.Violations("Drover.Forges.GitLab", ["Drover.Core", "Drover.Forges.GitHub"], "test"));

        Assert.Contains("Drover.Forges.GitLab references Drover.Forges.GitHub", violation, StringComparison.Ordinal);
        Assert.Contains("an adapter (Drover.Forges.*, Drover.Providers.*) references only Drover.Core", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Drover.Engine")]
    [InlineData("Drover.Simulation")]
    [InlineData("Drover.Storage")]
    [InlineData("Drover")]
    public void Adapter_ReferencingAnyDroverProjectButCore_IsNamed(string reference)
    {
        var violation = Assert.Single(Layering.Violations("Drover.Providers.Process", ["Drover.Core", reference], "test"));

        Assert.Contains($"Drover.Providers.Process references {reference}", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Adapter_ReferencingCoreAndPackagesOnly_IsClean()
    {
        Assert.Empty(Layering.Violations("Drover.Providers.Kubernetes", ["Drover.Core", "KubernetesClient", "System.Runtime"], "test"));
    }

    [Fact]
    public void ServerType_NamingAnAdapterOrSimulatorType_IsNamedWithTheRule()
    {
        var violations = Layering.ServerTypeViolations(
            ["Drover.Engine.Loop.ControlLoop", "Drover.Forges.GitHub.GitHubForge", "Drover.Simulation.Demo.DemoFleet", "Drover.Core.Adapters.IForge"]);

        Assert.Equal(2, violations.Count);
        Assert.Contains("Drover.Server names the type Drover.Forges.GitHub.GitHubForge", violations[0], StringComparison.Ordinal);
        Assert.Contains("Drover.Server names the type Drover.Simulation.Demo.DemoFleet", violations[1], StringComparison.Ordinal);
        Assert.All(violations, v => Assert.Contains(Layering.ServerRule, v, StringComparison.Ordinal));
    }

    [Fact]
    public void PublicType_MissingFromTheAllowList_IsNamedWithTheRule()
    {
        var allowed = new Dictionary<string, string>(StringComparer.Ordinal) { ["Drover.Forges.GitHub.GitHubModule"] = "registered" };

        var violation = Assert.Single(PublicSurface.Violations(
            "Drover.Forges.GitHub", ["Drover.Forges.GitHub.GitHubModule", "Drover.Forges.GitHub.GitHubForge"], allowed));

        Assert.Contains("Drover.Forges.GitHub.GitHubForge is public in Drover.Forges.GitHub", violation, StringComparison.Ordinal);
        Assert.Contains("no public type in Drover.Engine or an adapter beyond the allow-list", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowListEntry_NoLongerPublic_IsNamed()
    {
        var allowed = new Dictionary<string, string>(StringComparer.Ordinal) { ["Drover.Engine.Loop.Gone"] = "was used" };

        var stale = Assert.Single(PublicSurface.StaleEntries(["Drover.Engine.Loop.ControlLoop"], allowed));

        Assert.Contains("Drover.Engine.Loop.Gone", stale, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowList_GivesAReasonForEveryEntry()
    {
        Assert.All(PublicSurface.Allowed, entry => Assert.False(string.IsNullOrWhiteSpace(entry.Value), entry.Key));
    }

    [Fact]
    public void ProjectReferenceNames_ReadFromCsproj_AreFileNamesWithoutExtension()
    {
        const string Csproj = """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><AssemblyName>drover</AssemblyName></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Polly.Core" />
                <ProjectReference Include="../Drover.Core/Drover.Core.csproj" />
                <ProjectReference Include="..\Drover.Simulation\Drover.Simulation.csproj" />
              </ItemGroup>
            </Project>
            """;

        Assert.Equal(["Drover.Core", "Drover.Simulation"], Projects.ProjectReferenceNames(Csproj));
        Assert.Equal("drover", Projects.AssemblyNameOf(Csproj, "Drover"));
        Assert.Equal("Drover.Core", Projects.AssemblyNameOf("<Project />", "Drover.Core"));
    }
}
