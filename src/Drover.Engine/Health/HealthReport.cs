using Drover.Core.Adapters;

namespace Drover.Engine.Health;

/// <summary>What <c>GET /api/v1/health</c> answers: every component's health and the worst of them.</summary>
/// <param name="At">When the report was made.</param>
/// <param name="Status">The worst component status (a component nothing checked yet counts as degraded).</param>
/// <param name="Components">The store, leadership, then every provider and forge.</param>
public sealed record HealthReport(DateTimeOffset At, ComponentStatus Status, IReadOnlyList<ComponentHealth> Components)
{
    /// <summary>A report of <paramref name="components"/> at <paramref name="at"/>.</summary>
    public static HealthReport Of(DateTimeOffset at, IReadOnlyList<ComponentHealth> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        return new HealthReport(at, components.Count == 0 ? ComponentStatus.Ok : components.Max(c => c.Status), components);
    }
}
