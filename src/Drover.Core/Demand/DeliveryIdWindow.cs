namespace Drover.Core.Demand;

/// <summary>
/// The most recent <see cref="Capacity"/> delivery ids, for dedupe in O(1). When full, the oldest id is forgotten
/// first, so a redelivery older than that many deliveries is no longer recognised by its id.
/// </summary>
internal sealed class DeliveryIdWindow
{
    private readonly HashSet<string> _seen;
    private readonly Queue<string> _order;

    public DeliveryIdWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _seen = new HashSet<string>(StringComparer.Ordinal);
        _order = new Queue<string>();
    }

    public int Capacity { get; }

    public int Count => _seen.Count;

    /// <summary>Records <paramref name="deliveryId"/>; false when it is already in the window.</summary>
    public bool Add(string deliveryId)
    {
        if (!_seen.Add(deliveryId))
        {
            return false;
        }

        _order.Enqueue(deliveryId);
        if (_order.Count > Capacity)
        {
            _seen.Remove(_order.Dequeue());
        }

        return true;
    }
}
