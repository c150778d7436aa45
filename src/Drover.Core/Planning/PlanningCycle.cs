using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Core.Resilience;

namespace Drover.Core.Planning;

/// <summary>The inputs and accumulating outputs of one <see cref="Planner.Plan"/> call.</summary>
internal sealed class PlanningCycle(
    FleetConfig config,
    ObservedState observed,
    DateTimeOffset now,
    IDemandHistory? history,
    IReadOnlyDictionary<JobKey, Job> finishedJobsOfBusyRunners,
    CircuitBreakerOptions breakerOptions)
{
    private readonly Dictionary<string, int?> _createsLeft = new(StringComparer.Ordinal);

    public FleetConfig Config { get; } = config;

    public ObservedState Observed { get; } = observed;

    public DateTimeOffset Now { get; } = now;

    public IDemandHistory? History { get; } = history;

    public IReadOnlyDictionary<JobKey, Job> FinishedJobsOfBusyRunners { get; } = finishedJobsOfBusyRunners;

    public List<PlanAction> Actions { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>Takes up to <paramref name="wanted"/> creations from the provider's breaker allowance for this cycle.</summary>
    public int TakeCreates(string provider, int wanted, out string? withheldBecause)
    {
        withheldBecause = null;
        if (!_createsLeft.TryGetValue(provider, out var left))
        {
            var state = Observed.Breakers.TryGetValue(provider, out var s) ? s : CircuitBreakerState.Closed;
            left = CircuitBreaker.AllowedCreates(state, Now, breakerOptions);
            _createsLeft[provider] = left;
        }

        if (left is null || left.Value >= wanted)
        {
            _createsLeft[provider] = left - wanted;
            return wanted;
        }

        var granted = Math.Max(0, left.Value);
        _createsLeft[provider] = left.Value - granted;
        var state2 = Observed.Breakers.TryGetValue(provider, out var b) ? b : CircuitBreakerState.Closed;
        withheldBecause = $"provider '{provider}' circuit {CircuitBreaker.Describe(state2, Now, breakerOptions)}";
        return granted;
    }
}
