using Drover.Core.Resilience;

namespace Drover.Engine.Execution;

/// <summary>
/// The providers' circuit breakers while one plan executes: creates run concurrently and each outcome is folded into
/// the provider's current state under a lock, so no outcome is lost to another create's update.
/// </summary>
internal sealed class PlanBreakers
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, CircuitBreakerState> _states;
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    /// <param name="breakers">The states the plan starts from.</param>
    public PlanBreakers(IReadOnlyDictionary<string, CircuitBreakerState> breakers)
    {
        ArgumentNullException.ThrowIfNull(breakers);
        _states = new Dictionary<string, CircuitBreakerState>(breakers, StringComparer.Ordinal);
    }

    /// <summary>The provider's state now (closed when it has none).</summary>
    public CircuitBreakerState Get(string provider)
    {
        lock (_sync)
        {
            return _states.GetValueOrDefault(provider) ?? CircuitBreakerState.Closed;
        }
    }

    /// <summary>Applies <paramref name="update"/> to the provider's state now; returns the state before and after.</summary>
    public (CircuitBreakerState Before, CircuitBreakerState After) Update(string provider, Func<CircuitBreakerState, CircuitBreakerState> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_sync)
        {
            var before = _states.GetValueOrDefault(provider) ?? CircuitBreakerState.Closed;
            var after = update(before);
            if (after != before)
            {
                _states[provider] = after;
                _changed.Add(provider);
            }

            return (before, after);
        }
    }

    /// <summary>Replaces the states with <paramref name="breakers"/> (an outcome recorded elsewhere, in order).</summary>
    public void Set(IReadOnlyDictionary<string, CircuitBreakerState> breakers)
    {
        ArgumentNullException.ThrowIfNull(breakers);
        lock (_sync)
        {
            foreach (var (provider, state) in breakers)
            {
                if (_states.GetValueOrDefault(provider) != state)
                {
                    _states[provider] = state;
                    _changed.Add(provider);
                }
            }
        }
    }

    /// <summary>Every provider's state now.</summary>
    public IReadOnlyDictionary<string, CircuitBreakerState> Snapshot()
    {
        lock (_sync)
        {
            return new Dictionary<string, CircuitBreakerState>(_states, StringComparer.Ordinal);
        }
    }

    /// <summary>The providers whose state changed during the plan, with their state now.</summary>
    public IReadOnlyList<(string Provider, CircuitBreakerState State)> Changed()
    {
        lock (_sync)
        {
            return [.. _changed.Select(p => (p, _states[p]))];
        }
    }
}
