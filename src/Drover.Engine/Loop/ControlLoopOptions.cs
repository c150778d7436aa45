using Drover.Core.Resilience;
using Drover.Engine.Execution;

namespace Drover.Engine.Loop;

/// <summary>Settings of the control loop.</summary>
public sealed record ControlLoopOptions
{
    /// <summary>Plan at least this often even when nothing happens. Default 30 s.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the leader writes the live cost ledger: every runner's time since it was last costed (at most this
    /// often; the first cycle of a term costs at once). Default 1 minute.
    /// </summary>
    public TimeSpan CostInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Finished jobs are forgotten by the in-memory ledger after this long. Default 1 h.</summary>
    public TimeSpan FinishedJobRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Retry and timeout of provider and forge calls.</summary>
    public CallResilienceOptions Calls { get; init; } = CallResilienceOptions.Default;

    /// <summary>
    /// Breaker thresholds: one instance shared by the planner (how many creates a breaker allows), the executor (what
    /// opens it) and the snapshot the API and metrics report breakers from.
    /// </summary>
    public CircuitBreakerOptions Breakers { get; init; } = CircuitBreakerOptions.Default;

    /// <summary>
    /// A cycle reuses the forges' runner lists when they are younger than this, instead of listing again: under a burst
    /// of webhooks many cycles run per second, and each list is a forge API call (and rate-limit budget). Registrations
    /// are seen at most this much later. Default 1 s; zero lists in every cycle.
    /// </summary>
    public TimeSpan ForgeListMaxAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Forge lists older than <see cref="ForgeListMaxAge"/> but younger than this are used by the cycle while fresh
    /// ones are fetched in the background; the loop runs again when they arrive. A forge API call (hundreds of
    /// milliseconds on a large organisation) then never sits between a webhook and the runner it asks for. Older lists
    /// are fetched in the cycle. Default 10 s; not above <see cref="ForgeListMaxAge"/>: always in the cycle.
    /// </summary>
    public TimeSpan ForgeListStaleLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A stored webhook delivery whose interpretation fails (other than unreadable, which is quarantined at once) is
    /// quarantined after this many failed attempts. Default 5; at least 1.
    /// </summary>
    public int DeliveryAttempts
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(DeliveryAttempts), value, "at least one attempt");
    } = 5;

    /// <summary>
    /// The wait after a delivery's first failed attempt; it doubles with each further failure, up to 5 minutes. Default
    /// 5 s, so the default 5 attempts take about 75 s before the delivery is quarantined. A waiting delivery is tried at
    /// the first cycle after its delay.
    /// </summary>
    public TimeSpan DeliveryRetryDelay
    {
        get;
        init => field = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(DeliveryRetryDelay), value, "must be positive");
    } = TimeSpan.FromSeconds(5);

    /// <summary>The actor the engine's own events are written under.</summary>
    public string Actor { get; init; } = "engine";

    /// <summary>The defaults.</summary>
    public static ControlLoopOptions Default { get; } = new();
}
