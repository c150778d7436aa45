using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Logging;

namespace Drover.Engine.Execution;

/// <summary>
/// Keeps each provider's circuit breaker on what users care about: whether the provider turns creates into working
/// runners. A failure is a create call that failed (<see cref="RunnerCreation"/>) or an instance the provider accepted
/// that never became a runner — it failed, vanished or stayed booting past its timeout. A success is a runner that
/// registered with its forge. An accepted create is neither: a Kubernetes API accepts pods that can never be scheduled.
/// </summary>
internal sealed class ProviderHealth
{
    private readonly ExecutionServices _services;

    /// <param name="services">Store, clock, logs and breaker thresholds.</param>
    public ProviderHealth(ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>
    /// True when <paramref name="before"/> (booting, with an instance) turning into <paramref name="after"/> is a boot
    /// outcome: true for a registration (idle, busy, or gone after running its job), false for a failure; null otherwise.
    /// </summary>
    public static bool? BootOutcome(Runner before, Runner after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (!before.IsBooting || before.InstanceId is null)
        {
            return null;
        }

        return after.State switch
        {
            RunnerState.Idle or RunnerState.Busy or RunnerState.Gone => true,
            RunnerState.Failed => false,
            _ => null,
        };
    }

    /// <summary>
    /// The breakers after <paramref name="outcomes"/> (provider, registered?) in order; the changed ones are written
    /// to the store in one transaction and a change of status is logged.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, CircuitBreakerState>> RecordAsync(
        IEnumerable<(string Provider, bool Registered)> outcomes,
        IReadOnlyDictionary<string, CircuitBreakerState> breakers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(breakers);
        var now = _services.Time.GetUtcNow();
        var current = new Dictionary<string, CircuitBreakerState>(breakers, StringComparer.Ordinal);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (provider, registered) in outcomes)
        {
            var before = current.GetValueOrDefault(provider) ?? CircuitBreakerState.Closed;
            var after = registered
                ? CircuitBreaker.RecordSuccess(before, now, _services.BreakerOptions)
                : CircuitBreaker.RecordFailure(before, now, _services.BreakerOptions);
            if (after != before)
            {
                current[provider] = after;
                changed.Add(provider);
                LogChange(provider, before, after, now);
            }
        }

        if (changed.Count > 0)
        {
            await _services.Store.InTransactionAsync(
                async (writer, ct) =>
                {
                    foreach (var provider in changed)
                    {
                        await writer.SetBreakerAsync(provider, current[provider], ct).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }

        return current;
    }

    /// <summary>Logs a change of the breaker's status (closed, open, half-open).</summary>
    internal void LogChange(string provider, CircuitBreakerState before, CircuitBreakerState after, DateTimeOffset now)
    {
        if (before.Status != after.Status)
        {
            EngineLog.BreakerChanged(_services.Logger, provider, CircuitBreaker.Describe(after, now, _services.BreakerOptions));
        }
    }
}
