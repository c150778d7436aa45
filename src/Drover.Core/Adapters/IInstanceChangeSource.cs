namespace Drover.Core.Adapters;

/// <summary>
/// A provider that learns at once when one of its instances ends (a runner process exited) implements this, so the
/// engine observes again right away instead of at its periodic resync: an exited runner is not shown busy meanwhile.
/// </summary>
public interface IInstanceChangeSource
{
    /// <summary>Raised, on any thread, when an instance ended or otherwise changed; handlers must be quick.</summary>
    event Action? InstancesChanged;
}
