namespace Drover.Simulation.Baselines;

/// <summary>
/// The instants a periodic controller loop runs at: multiples of its interval since the Unix epoch. A baseline that
/// acts only on its loop's ticks asks to be planned again at the next one (<c>RecheckAt</c>).
/// </summary>
public static class LoopTicks
{
    /// <summary>True when <paramref name="now"/> is exactly one of the loop's ticks.</summary>
    public static bool IsTick(DateTimeOffset now, TimeSpan interval) => now.UtcTicks % interval.Ticks == 0;

    /// <summary>The first tick at or after <paramref name="at"/>.</summary>
    public static DateTimeOffset AtOrAfter(DateTimeOffset at, TimeSpan interval)
    {
        var remainder = at.UtcTicks % interval.Ticks;
        return remainder == 0 ? at : at.AddTicks(interval.Ticks - remainder);
    }

    /// <summary>The first tick strictly after <paramref name="at"/>.</summary>
    public static DateTimeOffset After(DateTimeOffset at, TimeSpan interval) => AtOrAfter(at.AddTicks(1), interval);
}
