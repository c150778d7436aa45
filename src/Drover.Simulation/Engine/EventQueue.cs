namespace Drover.Simulation.Engine;

/// <summary>
/// The simulator's single event queue over virtual time (ticks after the scenario start). Counts the pending events
/// that can still change the world, so the run knows when only periodic housekeeping is left.
/// </summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<SimEvent, EventKey> _queue = new();
    private long _sequence;

    /// <summary>Pending events other than periodic housekeeping, timers and spot interruptions.</summary>
    public int PendingWork { get; private set; }

    public int Count => _queue.Count;

    public void Schedule(long ticks, SimEvent e)
    {
        var phase = e.Kind switch
        {
            SimEventKind.Delivery or SimEventKind.Poll or SimEventKind.Prune => 1,
            SimEventKind.Resync or SimEventKind.Plan or SimEventKind.Wake => 2,
            _ => 0,
        };
        if (IsWork(e.Kind))
        {
            PendingWork++;
        }

        _queue.Enqueue(e, new EventKey(ticks, phase, _sequence++));
    }

    public bool TryDequeue(out SimEvent e, out long ticks)
    {
        if (!_queue.TryDequeue(out e, out var key))
        {
            ticks = 0;
            return false;
        }

        if (IsWork(e.Kind))
        {
            PendingWork--;
        }

        ticks = key.Ticks;
        return true;
    }

    private static bool IsWork(SimEventKind kind) =>
        kind is not (SimEventKind.Poll or SimEventKind.Prune or SimEventKind.Resync or SimEventKind.SpotInterruption or SimEventKind.Wake);
}
