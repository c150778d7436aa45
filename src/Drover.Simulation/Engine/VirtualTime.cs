namespace Drover.Simulation.Engine;

/// <summary>The virtual clock's conversions: the simulator counts time in ticks after <see cref="Start"/>.</summary>
internal sealed class VirtualTime(DateTimeOffset start)
{
    public DateTimeOffset Start { get; } = start;

    public DateTimeOffset At(long ticks) => Start.AddTicks(ticks);

    /// <summary>Ticks after the start of <paramref name="at"/>, never earlier than the start.</summary>
    public long TicksOf(DateTimeOffset at) => Math.Max(0, at.UtcTicks - Start.UtcTicks);

    public static long FromSeconds(double seconds) => (long)Math.Round(seconds * TimeSpan.TicksPerSecond);

    public static double ToSeconds(long ticks) => (double)ticks / TimeSpan.TicksPerSecond;
}
