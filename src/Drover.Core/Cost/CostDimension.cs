namespace Drover.Core.Cost;

/// <summary>What cost is grouped by in reports (<c>?by=</c>, <c>--by</c>).</summary>
public enum CostDimension
{
    Pool,
    Team,
    Scope,
    Provider,
}
