namespace Drover.Core.Config;

/// <summary>The CI system a forge speaks. Matching rules differ per kind.</summary>
public enum ForgeKind
{
    GitHub,
    GitLab,
}
