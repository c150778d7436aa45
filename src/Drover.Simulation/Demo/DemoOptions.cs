namespace Drover.Simulation.Demo;

/// <summary>How fast and how busy the demo world is.</summary>
public sealed record DemoOptions
{
    /// <summary>Trace time per real time: 60 replays an hour of CI load in a minute. Job durations shrink alike.</summary>
    public double SpeedUp { get; init; } = 60;

    /// <summary>Shortest boot of a simulated instance, in real time.</summary>
    public TimeSpan BootMin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest boot of a simulated instance, in real time.</summary>
    public TimeSpan BootMax { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Jobs per trace hour at the weekday peak, per forge; 0: no replayed load, only jobs given to <see cref="DemoWorld.Submit"/>.</summary>
    public double JobsPerHour { get; init; } = 45;

    /// <summary>Where in the synthetic week the replay starts (Monday 00:00 UTC + this): late morning by default.</summary>
    public TimeSpan TraceOffset { get; init; } = TimeSpan.FromHours(10.5);

    /// <summary>How often the world advances, in real time.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Spot interruptions per busy instance and real-time hour (a fault; 0: none): the instance is reclaimed under its
    /// job, the forge fails the job, and the provider lists the instance as lost until Drover deletes it.
    /// </summary>
    public double SpotInterruptionRate { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>The defaults.</summary>
    public static DemoOptions Default { get; } = new();
}
