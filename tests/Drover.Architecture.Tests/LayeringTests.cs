namespace Drover.Architecture.Tests;

/// <summary>ADR 0008's layering, checked on this checkout: the csproj files and the compiled assemblies.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void SrcProjects_AreFoundWithTheLayersTheRulesName()
    {
        var names = Projects.All.Select(p => p.Name).ToList();

        // A rule that applies to no project would pass for nothing: every layer it names must exist.
        Assert.Contains(Layering.Core, names);
        Assert.Contains(Layering.Engine, names);
        Assert.Contains(Layering.Server, names);
        Assert.Contains(Layering.Simulation, names);
        Assert.Contains(names, Layering.IsAdapter);
        foreach (var rule in Layering.Rules)
        {
            Assert.True(names.Any(rule.AppliesTo), $"the rule \"{rule.Name}\" applies to no project under src/");
        }
    }

    [Fact]
    public void EverySrcProject_IsReferencedHere_SoItsAssemblyIsChecked()
    {
        var missing = Projects.All
            .Where(p => Projects.TryLoad(p) is null)
            .Select(p => $"{p.Name}: add <ProjectReference Include=\"../../src/{p.Name}/{p.Name}.csproj\" /> to tests/Drover.Architecture.Tests");

        Expect.NoViolations(missing);
    }

    [Fact]
    public void ProjectReferences_OfEverySrcProject_FollowTheRules()
    {
        var violations = Projects.All.SelectMany(p => Layering.Violations(p.Name, p.ProjectReferences, $"ProjectReference in {Relative(p.ProjectFile)}"));

        Expect.NoViolations(violations);
    }

    [Fact]
    public void ProjectReferences_ReachedIndirectly_FollowTheRules()
    {
        // Drover.Server must not reach an adapter or the simulator through Engine or Storage either.
        var graph = Projects.All.ToDictionary(p => p.Name, p => p.ProjectReferences, StringComparer.Ordinal);
        var violations = Projects.All.SelectMany(p =>
            Layering.Violations(p.Name, Layering.Closure(p.Name, graph), $"through the ProjectReferences of {Relative(p.ProjectFile)}"));

        Expect.NoViolations(violations);
    }

    [Fact]
    public void CompiledReferences_OfEverySrcAssembly_FollowTheRules()
    {
        var checkedAssemblies = 0;
        var violations = new List<string>();
        foreach (var project in Projects.All)
        {
            if (Projects.TryLoad(project) is not { } assembly)
            {
                continue; // EverySrcProject_IsReferencedHere_SoItsAssemblyIsChecked names it.
            }

            checkedAssemblies++;
            violations.AddRange(Layering.Violations(project.Name, Projects.CompiledDroverReferences(assembly), $"compiled reference of {assembly.GetName().Name}.dll"));
        }

        Expect.NoViolations(violations);
        Assert.True(checkedAssemblies >= 5, $"only {checkedAssemblies} src assemblies could be loaded");
    }

    [Fact]
    public void ServerTypes_NameNoForgeProviderOrSimulatorType()
    {
        var server = Projects.All.Single(p => p.Name == Layering.Server);
        var assembly = Projects.TryLoad(server) ?? throw new InvalidOperationException("Drover.Server's assembly is not next to the tests");
        var named = Projects.NamedTypes(assembly);

        Assert.Contains(named, t => t.StartsWith("Drover.Engine.", StringComparison.Ordinal)); // the metadata was read
        Expect.NoViolations(Layering.ServerTypeViolations(named));
    }

    [Fact]
    public void PublicTypes_OfEngineAndAdapters_AreExactlyTheAllowList()
    {
        var checkedProjects = Projects.All.Where(p => p.Name == Layering.Engine || Layering.IsAdapter(p.Name)).ToList();
        var exported = new List<string>();
        var violations = new List<string>();
        foreach (var project in checkedProjects)
        {
            var assembly = Projects.TryLoad(project) ?? throw new InvalidOperationException($"{project.Name}'s assembly is not next to the tests");
            var types = assembly.GetExportedTypes().Select(t => t.FullName ?? t.Name).ToList();
            exported.AddRange(types);
            violations.AddRange(PublicSurface.Violations(project.Name, types, PublicSurface.Allowed));
        }

        violations.AddRange(PublicSurface.StaleEntries(exported, PublicSurface.Allowed));
        Expect.NoViolations(violations);
    }

    private static string Relative(string path) => Path.GetRelativePath(Projects.RepositoryRoot, path);
}
