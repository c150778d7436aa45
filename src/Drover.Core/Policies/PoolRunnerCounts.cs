namespace Drover.Core.Policies;

/// <summary>A pool's runners by lifecycle bucket.</summary>
public sealed record PoolRunnerCounts(int Booting, int Idle, int Busy, int Draining, int Failed)
{
    /// <summary>Runners that count toward the pool's size. Failed and draining ones do not.</summary>
    public int Active => Booting + Idle + Busy;

    public static PoolRunnerCounts None { get; } = new(0, 0, 0, 0, 0);
}
