namespace Drover.Server.History;

/// <summary>One pool at one sample of <see cref="FleetHistory"/>: what the dashboard's charts draw.</summary>
/// <param name="Pool">The pool's name.</param>
/// <param name="Queued">Queued jobs matched to the pool.</param>
/// <param name="Running">Jobs running on the pool's runners (busy runners).</param>
/// <param name="Desired">Runners the leader's plan wanted; null on a follower and before the first plan.</param>
/// <param name="Active">Runners requested, booting, idle or busy: the pool's capacity, present and coming.</param>
/// <param name="Runners">Runners by state (every state but gone, zeros included), in the lifecycle's order.</param>
/// <param name="WaitP50Seconds">Median queue wait over jobs started in the last hour; null when none started.</param>
/// <param name="WaitP95Seconds">95th percentile of the same; null when none started.</param>
/// <param name="CostPerHour">
/// What the pool's billed runners (booting, idle, busy, draining) cost per hour at the fleet file's prices at that moment.
/// </param>
/// <param name="Currency">The currency of <paramref name="CostPerHour"/>.</param>
internal sealed record PoolSample(
    string Pool,
    int Queued,
    int Running,
    int? Desired,
    int Active,
    IReadOnlyDictionary<string, int> Runners,
    double? WaitP50Seconds,
    double? WaitP95Seconds,
    decimal CostPerHour,
    string Currency);
