using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Baselines;

/// <summary>
/// ARC's legacy webhook autoscaling (HorizontalRunnerAutoscaler with a <c>workflow_job</c> scale-up trigger): each
/// <c>queued</c> event adds a capacity reservation of 1 that expires after <c>reservationSeconds</c> (600); each
/// <c>completed</c> event removes the oldest reservation. Desired = live reservations (the pool's <c>min</c> is
/// the floor). A scale-down waits <c>scaleDownDelaySeconds</c> (600) after the last scale-up.
/// </summary>
/// <remarks>
/// Stateful: the reservations and the last scale-up time live in this instance, per pool, fed in order from the
/// <see cref="IJobFlowHistory"/> the loop provides. One instance belongs to one controller (or one simulation run).
/// Without such a history it falls back to counting assigned jobs, and says so in its reason.
/// </remarks>
public sealed class ArcWebhookPolicy : IScalingPolicy
{
    public const string PolicyName = "arc-webhook";
    public const string ReservationKey = "reservationSeconds";
    public const string ScaleDownDelayKey = "scaleDownDelaySeconds";

    private readonly Dictionary<string, PoolState> _pools = new(StringComparer.Ordinal);
    private readonly List<FlowRecord> _flow = [];

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
        BaselineSettings.Validate(PolicyName, settings, new Dictionary<string, int> { [ReservationKey] = 1, [ScaleDownDelayKey] = 0 });

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.History is not IJobFlowHistory history)
        {
            return new PolicyDecision(context.Demand.Assigned, $"arc-webhook: no job event history; {context.Demand.Assigned} assigned jobs");
        }

        var settings = context.Pool.PolicySettings;
        var lifetime = BaselineSettings.Seconds(settings, ReservationKey, TimeSpan.FromMinutes(10), 1);
        var delay = BaselineSettings.Seconds(settings, ScaleDownDelayKey, TimeSpan.FromMinutes(10));
        var now = context.Now;
        if (!_pools.TryGetValue(context.Pool.Name, out var state))
        {
            state = new PoolState { Watermark = DateTimeOffset.MinValue };
            _pools[context.Pool.Name] = state;
        }

        _flow.Clear();
        history.CopyFlow(context.Pool.Name, state.Watermark, now, _flow);
        foreach (var record in _flow)
        {
            Expire(state.Reservations, record.At);
            if (record.Kind == JobEventKind.Queued)
            {
                state.Reservations.Enqueue(record.At + lifetime);
            }
            else
            {
                state.Reservations.TryDequeue(out _);
            }
        }

        if (now > state.Watermark)
        {
            state.Watermark = now;
        }

        Expire(state.Reservations, now);
        var raw = state.Reservations.Count;
        var desired = raw;
        DateTimeOffset? recheck = state.Reservations.TryPeek(out var nextExpiry) ? nextExpiry : null;
        var reason = $"arc-webhook: {raw} live reservation(s)";
        if (raw > state.LastDesired)
        {
            state.LastScaleUp = now;
        }
        else if (raw < state.LastDesired && state.LastScaleUp is { } up && now < up + delay)
        {
            desired = state.LastDesired;
            recheck = recheck is { } r && r < up + delay ? r : up + delay;
            reason += $"; scale-down held until {delay.TotalMinutes:0.#} min after the last scale-up, keeping {desired}";
        }

        state.LastDesired = desired;
        return new PolicyDecision(desired, reason) { RecheckAt = recheck };
    }

    private static void Expire(Queue<DateTimeOffset> reservations, DateTimeOffset at)
    {
        while (reservations.TryPeek(out var expiry) && expiry <= at)
        {
            reservations.Dequeue();
        }
    }

    private sealed class PoolState
    {
        public Queue<DateTimeOffset> Reservations { get; } = new();

        public DateTimeOffset Watermark { get; set; }

        public int LastDesired { get; set; }

        public DateTimeOffset? LastScaleUp { get; set; }
    }
}
