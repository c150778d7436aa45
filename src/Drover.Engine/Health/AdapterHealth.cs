using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Resilience;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;

namespace Drover.Engine.Health;

/// <summary>
/// Every provider's and forge's health, from what was checked: the adapter's own report where it implements
/// <see cref="IHealthReporting"/>, and always the outcomes of the engine's calls to it through the
/// <see cref="CallPolicy"/>; the worse of the two counts. A provider's circuit breaker adds to it (open: down,
/// half-open: degraded); a forge gets its webhook deliveries of the last five minutes and its rate-limit budget.
/// An adapter that reports ok without a recorded success is read as not checked.
/// </summary>
public static class AdapterHealth
{
    /// <summary>The health of every provider, then every forge, in name order.</summary>
    /// <param name="services">The adapters, the call policy (with its outcomes), the clock.</param>
    /// <param name="snapshot">The loop's latest view (breakers and their thresholds).</param>
    /// <param name="uncheckedReason">What to say of a component nothing has checked yet (e.g. on a follower); a default sentence when null.</param>
    internal static IReadOnlyList<ComponentHealth> Read(ExecutionServices services, LoopSnapshot snapshot, string? uncheckedReason = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(snapshot);
        var now = services.Time.GetUtcNow();
        var result = new List<ComponentHealth>();
        foreach (var provider in services.Adapters.Providers.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var health = Combine(Own(provider, "provider", provider.Name), Engine(services, "provider", provider.Name, uncheckedReason));
            var breaker = snapshot.Breakers.GetValueOrDefault(provider.Name) ?? CircuitBreakerState.Closed;
            var status = CircuitBreaker.Current(breaker, now, snapshot.BreakerOptions);
            var description = CircuitBreaker.Describe(breaker, now, snapshot.BreakerOptions);
            health = With(health, "breaker", BreakerName(status));
            health = status switch
            {
                BreakerStatus.Open => HealthRecorder.AtLeast(health, ComponentStatus.Down, $"circuit breaker open: {description}"),
                BreakerStatus.HalfOpen => HealthRecorder.AtLeast(health, ComponentStatus.Degraded, $"circuit breaker half-open: {description}"),
                _ => health,
            };
            result.Add(health);
        }

        foreach (var forge in services.Adapters.Forges.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var health = Combine(Own(forge, "forge", forge.Name), Engine(services, "forge", forge.Name, uncheckedReason));
            var (accepted, rejected) = services.Metrics.RecentWebhookDeliveries(forge.Name);
            health = With(health, "webhookDeliveriesLast5m", accepted.ToString(CultureInfo.InvariantCulture));
            health = With(health, "webhookRejectedLast5m", rejected.ToString(CultureInfo.InvariantCulture));
            if (!health.Details.ContainsKey("rateLimitRemaining") && services.Metrics.ForgeRateLimitRemaining(forge.Name) is { } remaining)
            {
                health = With(health, "rateLimitRemaining", remaining.ToString(CultureInfo.InvariantCulture));
            }

            if (services.Calls.RateLimitedUntil($"forge {forge.Name}") is { } until && !HealthRecorder.IsUnchecked(health))
            {
                health = HealthRecorder.AtLeast(health, ComponentStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"rate limited: calls held back until {until:HH:mm:ss}Z"));
            }

            result.Add(health);
        }

        return result;
    }

    /// <summary>The breaker status as the API and the dashboard spell it: closed, half-open, open.</summary>
    public static string BreakerName(BreakerStatus status) => status switch
    {
        BreakerStatus.Closed => "closed",
        BreakerStatus.HalfOpen => "half-open",
        _ => "open",
    };

    /// <summary>
    /// The worse of an adapter's own report and the engine's view of its calls; a side that checked nothing gives way
    /// to the other. The adapter's details are kept.
    /// </summary>
    internal static ComponentHealth Combine(ComponentHealth? own, ComponentHealth engine)
    {
        if (own is null || HealthRecorder.IsUnchecked(own))
        {
            if (own is null || !HealthRecorder.IsUnchecked(engine))
            {
                return Merge(engine, own?.Details, overwrite: false);
            }

            return own;
        }

        if (HealthRecorder.IsUnchecked(engine))
        {
            return own;
        }

        var worse = engine.Status > own.Status ? engine : own;
        var details = new Dictionary<string, string>(own.Details, StringComparer.Ordinal);
        if (worse == engine && engine.Details.TryGetValue(HealthRecorder.ReasonKey, out var reason))
        {
            details[HealthRecorder.ReasonKey] = reason;
        }

        var lastError = (own.LastErrorAt ?? DateTimeOffset.MinValue) >= (engine.LastErrorAt ?? DateTimeOffset.MinValue) ? own : engine;
        return own with
        {
            Status = worse.Status,
            LastSuccess = Max(own.LastSuccess, engine.LastSuccess),
            LastError = lastError.LastError,
            LastErrorAt = lastError.LastErrorAt,
            Details = details,
        };
    }

    private static ComponentHealth? Own(object adapter, string kind, string name)
    {
        if (adapter is not IHealthReporting reporting)
        {
            return null;
        }

        ComponentHealth own;
        try
        {
            own = reporting.Health() with { Kind = kind, Name = name };
        }
        catch (Exception e)
        {
            return new ComponentHealth(kind, name, ComponentStatus.Degraded)
            {
                Details = new Dictionary<string, string>(StringComparer.Ordinal) { [HealthRecorder.ReasonKey] = $"its health report failed: {HealthRecorder.Describe(e)}" },
            };
        }

        // Never ok without a check: an adapter that says ok but recorded no success has not been checked.
        return own.Status == ComponentStatus.Ok && own.LastSuccess is null
            ? own with { Status = ComponentStatus.Degraded, Details = new Dictionary<string, string>(own.Details, StringComparer.Ordinal) { [HealthRecorder.ReasonKey] = "reported ok without a recorded success" } }
            : own;
    }

    private static ComponentHealth Engine(ExecutionServices services, string kind, string name, string? uncheckedReason) =>
        services.Calls.Health($"{kind} {name}") is { } recorder
            ? recorder.Health(kind, name, null, uncheckedReason)
            : new HealthRecorder(services.Time).Health(kind, name, null, uncheckedReason ?? "not checked yet: no call made since start");

    private static ComponentHealth Merge(ComponentHealth health, IReadOnlyDictionary<string, string>? extra, bool overwrite)
    {
        if (extra is null || extra.Count == 0)
        {
            return health;
        }

        var details = new Dictionary<string, string>(health.Details, StringComparer.Ordinal);
        foreach (var (key, value) in extra)
        {
            if (key is HealthRecorder.ReasonKey or HealthRecorder.CheckedKey)
            {
                continue;
            }

            if (overwrite || !details.ContainsKey(key))
            {
                details[key] = value;
            }
        }

        return health with { Details = details };
    }

    private static ComponentHealth With(ComponentHealth health, string key, string value) =>
        health with { Details = new Dictionary<string, string>(health.Details, StringComparer.Ordinal) { [key] = value } };

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
