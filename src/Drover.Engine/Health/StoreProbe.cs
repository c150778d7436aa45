using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Ports;

namespace Drover.Engine.Health;

/// <summary>
/// Checks the state store with a cheap query (its schema version) and keeps the last result: ok when it answered
/// within <see cref="SlowAfter"/>, degraded when slower or when the last probe is older than <see cref="StaleAfter"/>,
/// down when it failed or timed out. Errors are reported by exception type only: a store's exception can carry its
/// connection string.
/// </summary>
public sealed class StoreProbe
{
    /// <summary>A probe slower than this makes the store degraded: 1 s.</summary>
    public static readonly TimeSpan SlowAfter = TimeSpan.FromSeconds(1);

    /// <summary>A probe that has not answered within this is a failure: 5 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>A last probe older than this makes the store degraded (nobody is probing): 2 minutes.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private readonly IStateStore _store;
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly Lock _sync = new();
    private ComponentHealth? _last;

    /// <param name="store">The store to probe.</param>
    /// <param name="time">The clock.</param>
    /// <param name="name">The store's kind as configured (<c>sqlite</c>, <c>postgres</c>).</param>
    public StoreProbe(IStateStore store, TimeProvider time, string name)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
    }

    /// <summary>Queries the store now and returns (and keeps) the result.</summary>
    public async Task<ComponentHealth> ProbeAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var at = _time.GetUtcNow();
        ComponentHealth result;
        using var timeout = new CancellationTokenSource(Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var version = await _store.GetSchemaVersionAsync(linked.Token).ConfigureAwait(false);
            var took = _time.GetElapsedTime(started);
            var details = Details(at, took);
            details["schemaVersion"] = version.ToString(CultureInfo.InvariantCulture);
            var slow = took > SlowAfter;
            if (slow)
            {
                details[HealthRecorder.ReasonKey] = string.Create(CultureInfo.InvariantCulture, $"the probe took {took.TotalMilliseconds:0} ms (over {SlowAfter.TotalMilliseconds:0} ms)");
            }

            result = new ComponentHealth("store", _name, slow ? ComponentStatus.Degraded : ComponentStatus.Ok) { LastSuccess = at, Details = details };
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var error = timeout.IsCancellationRequested
                ? string.Create(CultureInfo.InvariantCulture, $"no answer within {Timeout.TotalSeconds:0} s")
                : $"the store could not be reached ({e.GetType().Name})";
            var details = Details(at, _time.GetElapsedTime(started));
            details[HealthRecorder.ReasonKey] = error;
            ComponentHealth? before;
            lock (_sync)
            {
                before = _last;
            }

            result = new ComponentHealth("store", _name, ComponentStatus.Down) { LastSuccess = before?.LastSuccess, LastError = error, LastErrorAt = at, Details = details };
        }

        lock (_sync)
        {
            _last = result;
        }

        return result;
    }

    /// <summary>The last probe's result (degraded when it is old); not checked when there was none.</summary>
    public ComponentHealth Health()
    {
        ComponentHealth? last;
        lock (_sync)
        {
            last = _last;
        }

        if (last is null)
        {
            return new ComponentHealth("store", _name, ComponentStatus.Degraded)
            {
                Details = new Dictionary<string, string>(StringComparer.Ordinal) { [HealthRecorder.ReasonKey] = "not probed yet", [HealthRecorder.CheckedKey] = "never" },
            };
        }

        var probedAt = DateTimeOffset.Parse(last.Details["probedAt"], CultureInfo.InvariantCulture);
        var age = _time.GetUtcNow() - probedAt;
        return age > StaleAfter
            ? HealthRecorder.AtLeast(last, ComponentStatus.Degraded, $"the last probe was {HealthRecorder.Ago(age)} ago")
            : last;
    }

    private static Dictionary<string, string> Details(DateTimeOffset at, TimeSpan took) => new(StringComparer.Ordinal)
    {
        ["probedAt"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["probeMilliseconds"] = took.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
    };
}
