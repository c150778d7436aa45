using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Drover.Architecture.Tests;

/// <summary>The product projects (src/*/*.csproj) of this checkout and their compiled assemblies.</summary>
internal static class Projects
{
    private static readonly Lazy<IReadOnlyList<ProductProject>> _all = new(Load);

    /// <summary>Every project under src/, by name.</summary>
    public static IReadOnlyList<ProductProject> All => _all.Value;

    /// <summary>The folder holding Drover.sln above the test assembly.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The names of the projects a csproj's <c>ProjectReference</c> items point at (file names without .csproj).</summary>
    public static IReadOnlyList<string> ProjectReferenceNames(string csprojXml) =>
        [.. XDocument.Parse(csprojXml).Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => (string?)e.Attribute("Include"))
            .OfType<string>()
            .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/')))];

    /// <summary>The assembly name a csproj sets, else the project's name.</summary>
    public static string AssemblyNameOf(string csprojXml, string projectName) =>
        XDocument.Parse(csprojXml).Descendants().FirstOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value.Trim() is { Length: > 0 } name
            ? name
            : projectName;

    /// <summary>
    /// The compiled assembly of <paramref name="project"/>, loaded from next to this test assembly; null when this test
    /// project does not reference it.
    /// </summary>
    public static Assembly? TryLoad(ProductProject project)
    {
        try
        {
            return Assembly.Load(new AssemblyName(project.AssemblyName));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The project names of the Drover assemblies <paramref name="assembly"/> was compiled against.</summary>
    public static IReadOnlyList<string> CompiledDroverReferences(Assembly assembly)
    {
        var byAssembly = All.ToDictionary(p => p.AssemblyName, p => p.Name, StringComparer.OrdinalIgnoreCase);
        return [.. assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .Where(Layering.IsDrover)
            .Select(a => byAssembly.GetValueOrDefault(a, a))];
    }

    /// <summary>
    /// Full names of every type <paramref name="assembly"/> defines or refers to, read from its metadata (type
    /// definitions and type references; nested types under their enclosing type).
    /// </summary>
    public static IReadOnlyList<string> NamedTypes(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var definitions = metadata.TypeDefinitions
            .Select(metadata.GetTypeDefinition)
            .Select(t => Join(metadata.GetString(t.Namespace), metadata.GetString(t.Name)));
        var references = metadata.TypeReferences
            .Select(metadata.GetTypeReference)
            .Select(t => Join(metadata.GetString(t.Namespace), metadata.GetString(t.Name)));
        return [.. definitions.Concat(references).Distinct(StringComparer.Ordinal)];
    }

    private static string Join(string ns, string name) => ns.Length == 0 ? name : $"{ns}.{name}";

    private static IReadOnlyList<ProductProject> Load() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path =>
            {
                var xml = File.ReadAllText(path);
                var name = Path.GetFileNameWithoutExtension(path);
                return new ProductProject(name, AssemblyNameOf(xml, name), path, ProjectReferenceNames(xml));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)];

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Drover.sln above {AppContext.BaseDirectory}: the architecture tests read the repository's src/ folder");
    }
}
