namespace Drover.Benchmarks.Scale;

/// <summary>What the steady-state part of <c>bench scale</c> runs.</summary>
internal sealed record SteadyOptions
{
    /// <summary>Pools, half GitHub and half GitLab.</summary>
    public int Pools { get; init; } = 1000;

    /// <summary>Idle runners each pool keeps warm: <see cref="Pools"/> × this are live once warm.</summary>
    public int Idle { get; init; } = 10;

    /// <summary>Largest size of each pool.</summary>
    public int Max { get; init; } = 20;

    /// <summary>Jobs per hour over the whole fleet (Poisson arrivals, each to a pool picked at random).</summary>
    public double JobsPerHour { get; init; } = 1000;

    /// <summary>How long the steady state is measured once the fleet is warm.</summary>
    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait for the fleet to reach its warm size; the measurement starts then even if it has not.</summary>
    public TimeSpan WarmupLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>sqlite</c> (a fresh file) or <c>postgres</c> (a throw-away local server).</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>Seed of the job stream and the simulated world.</summary>
    public int Seed { get; init; } = 1;
}
