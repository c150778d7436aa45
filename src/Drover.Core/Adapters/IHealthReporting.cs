namespace Drover.Core.Adapters;

/// <summary>An adapter that reports its own health from the calls it made (forges, providers).</summary>
public interface IHealthReporting
{
    /// <summary>The adapter's health now; cheap, never calls out.</summary>
    ComponentHealth Health();
}
