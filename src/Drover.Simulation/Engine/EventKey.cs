namespace Drover.Simulation.Engine;

/// <summary>
/// Orders events: by virtual time, then by phase (world changes, then deliveries to Drover, then plans — so several
/// events at one instant are all seen by a single plan), then by the order they were scheduled.
/// </summary>
internal readonly record struct EventKey(long Ticks, int Phase, long Sequence) : IComparable<EventKey>
{
    public int CompareTo(EventKey other)
    {
        var byTime = Ticks.CompareTo(other.Ticks);
        if (byTime != 0)
        {
            return byTime;
        }

        var byPhase = Phase.CompareTo(other.Phase);
        return byPhase != 0 ? byPhase : Sequence.CompareTo(other.Sequence);
    }
}
