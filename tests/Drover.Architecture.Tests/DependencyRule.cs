namespace Drover.Architecture.Tests;

/// <summary>A rule on which Drover projects a project may reference.</summary>
/// <param name="Name">What the rule says, as failure messages quote it.</param>
/// <param name="AppliesTo">Whether the rule constrains this project.</param>
/// <param name="Allows">Whether the project (first argument) may reference the other (second argument).</param>
internal sealed record DependencyRule(string Name, Func<string, bool> AppliesTo, Func<string, string, bool> Allows);
