namespace Drover.Architecture.Tests;

/// <summary>A project under src/, as its csproj declares it.</summary>
/// <param name="Name">The project's name (its csproj file name).</param>
/// <param name="AssemblyName">The compiled assembly's name (<c>drover</c> for the CLI).</param>
/// <param name="ProjectFile">Path of the csproj.</param>
/// <param name="ProjectReferences">Names of the projects its csproj references directly.</param>
internal sealed record ProductProject(string Name, string AssemblyName, string ProjectFile, IReadOnlyList<string> ProjectReferences);
