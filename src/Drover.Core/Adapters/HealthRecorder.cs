using System.Globalization;

namespace Drover.Core.Adapters;

/// <summary>
/// Records the outcomes of the real calls one component made (an adapter's own API calls, or the engine's calls to an
/// adapter through its call policy) and derives its <see cref="ComponentHealth"/> by one set of rules
/// (docs/operations.md, "Component health"):
/// <list type="bullet">
/// <item><b>down</b>: the last <see cref="DownAfterFailures"/> calls failed, or the last call was refused for its
/// configuration or credential (401, 403, a bad key), with no success since.</item>
/// <item><b>degraded</b>: never checked (no call recorded yet); the last call failed (fewer than
/// <see cref="DownAfterFailures"/> in a row); a call failed within <see cref="RecentWindow"/> although later ones
/// succeeded; rate limited now; or no call for longer than the stale limit.</item>
/// <item><b>ok</b>: the last call succeeded, nothing failed within <see cref="RecentWindow"/>, not rate limited.</item>
/// </list>
/// A not-found or busy answer counts as a success: the service answered. Thread-safe; <see cref="Health"/> is cheap and
/// never calls out.
/// </summary>
public sealed class HealthRecorder
{
    /// <summary>Failed calls in a row (with no success since) that make a component down.</summary>
    public const int DownAfterFailures = 3;

    /// <summary>The <see cref="ComponentHealth.Details"/> key saying why a component is not ok.</summary>
    public const string ReasonKey = "reason";

    /// <summary>The <see cref="ComponentHealth.Details"/> key that is <c>never</c> for a component nothing has checked yet.</summary>
    public const string CheckedKey = "checked";

    /// <summary>How long a failed call keeps a component degraded after later calls succeeded: 5 minutes.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(5);

    private const int MaxErrorLength = 300;
    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;
    private readonly Lock _sync = new();
    private DateTimeOffset? _lastSuccess;
    private DateTimeOffset? _lastCall;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private CallFailureKind? _lastErrorKind;
    private int _failuresInARow;
    private long _calls;
    private long _failures;
    private DateTimeOffset? _rateLimitedUntil;

    /// <param name="time">The clock outcomes are stamped with.</param>
    /// <param name="staleAfter">
    /// A component with no call for longer than this is degraded (its last reading is old); default 10 minutes.
    /// </param>
    public HealthRecorder(TimeProvider time, TimeSpan? staleAfter = null)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _staleAfter = staleAfter ?? TimeSpan.FromMinutes(10);
    }

    /// <summary>Records a call that succeeded.</summary>
    public void Succeeded()
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _lastSuccess = now;
            _lastCall = now;
            _failuresInARow = 0;
            _calls++;
        }
    }

    /// <summary>
    /// Records a call that failed with <paramref name="exception"/>, classified by <see cref="CallFailures.Classify"/>:
    /// not-found and busy count as answers (successes), a rate limit as <see cref="RateLimited"/>. A cancellation is
    /// not an outcome and is ignored, except an HTTP client's timeout (a cancellation caused by a
    /// <see cref="TimeoutException"/>).
    /// </summary>
    public void Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is OperationCanceledException && exception.InnerException is not TimeoutException)
        {
            return;
        }

        var (kind, retryAt) = CallFailures.Classify(exception);
        Failed(Describe(exception), kind, retryAt);
    }

    /// <summary>Records a call that failed with <paramref name="error"/> (never a secret) of <paramref name="kind"/>.</summary>
    public void Failed(string error, CallFailureKind kind, DateTimeOffset? retryAt = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (kind)
        {
            case CallFailureKind.NotFound or CallFailureKind.Busy:
                Succeeded();
                return;
            case CallFailureKind.RateLimited:
                RateLimited(retryAt, error);
                return;
            default:
                break;
        }

        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _lastCall = now;
            _lastError = Trim(error);
            _lastErrorAt = now;
            _lastErrorKind = kind;
            _failuresInARow++;
            _calls++;
            _failures++;
        }
    }

    /// <summary>Records that the service refused for its rate limit (or that a call was held back for one) until <paramref name="until"/>.</summary>
    public void RateLimited(DateTimeOffset? until, string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _lastCall = now;
            _lastError = Trim(error);
            _lastErrorAt = now;
            _lastErrorKind = CallFailureKind.RateLimited;
            _rateLimitedUntil = until is { } u && u > now ? u : now + TimeSpan.FromMinutes(1);
            _calls++;
        }
    }

    /// <summary>The component's health now, with <paramref name="details"/> added to what the recorder knows.</summary>
    /// <param name="kind">forge, provider, ...</param>
    /// <param name="name">The component's configured name.</param>
    /// <param name="details">Component-specific readings (rate-limit remaining, watch state).</param>
    /// <param name="uncheckedReason">What to say while nothing has been checked; a default sentence when null.</param>
    public ComponentHealth Health(string kind, string name, IReadOnlyDictionary<string, string>? details = null, string? uncheckedReason = null)
    {
        var now = _time.GetUtcNow();
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        lock (_sync)
        {
            ComponentStatus status;
            string? reason;
            var errorExplains = _lastErrorAt is { } errorAt && (_lastSuccess is not { } success || errorAt > success || now - errorAt < RecentWindow);
            if (_lastCall is null)
            {
                status = ComponentStatus.Degraded;
                reason = uncheckedReason ?? "not checked yet: no call made since start";
                all[CheckedKey] = "never";
            }
            else if (_failuresInARow > 0 && _lastErrorKind == CallFailureKind.Configuration)
            {
                status = ComponentStatus.Down;
                reason = $"refused for its configuration or credential{Since()}: {_lastError}";
            }
            else if (_failuresInARow >= DownAfterFailures)
            {
                status = ComponentStatus.Down;
                reason = $"the last {_failuresInARow} calls failed{Since()}: {_lastError}";
            }
            else if (_rateLimitedUntil is { } until && until > now)
            {
                status = ComponentStatus.Degraded;
                reason = string.Create(CultureInfo.InvariantCulture, $"rate limited until {until:HH:mm:ss}Z: {_lastError}");
            }
            else if (_failuresInARow > 0)
            {
                status = ComponentStatus.Degraded;
                reason = $"the last call failed: {_lastError}";
            }
            else if (_lastErrorAt is { } recent && now - recent < RecentWindow)
            {
                status = ComponentStatus.Degraded;
                reason = string.Create(CultureInfo.InvariantCulture, $"a call failed {Ago(now - recent)} ago, later ones succeeded: {_lastError}");
            }
            else if (now - _lastCall.Value > _staleAfter)
            {
                status = ComponentStatus.Degraded;
                reason = $"not checked for {Ago(now - _lastCall.Value)}";
            }
            else
            {
                status = ComponentStatus.Ok;
                reason = null;
            }

            if (reason is not null)
            {
                all[ReasonKey] = reason;
            }

            all["calls"] = _calls.ToString(CultureInfo.InvariantCulture);
            all["failedCalls"] = _failures.ToString(CultureInfo.InvariantCulture);
            if (_failuresInARow > 0)
            {
                all["failuresInARow"] = _failuresInARow.ToString(CultureInfo.InvariantCulture);
            }

            foreach (var (key, value) in details ?? new Dictionary<string, string>())
            {
                all[key] = value;
            }

            return new ComponentHealth(kind, name, status)
            {
                LastSuccess = _lastSuccess,
                LastError = errorExplains ? _lastError : null,
                LastErrorAt = errorExplains ? _lastErrorAt : null,
                Details = all,
            };
        }

        string Since() => _lastSuccess is { } s ? $" since the last success {Ago(now - s)} ago" : " and none has succeeded yet";
    }

    /// <summary>
    /// <paramref name="health"/> made at least <paramref name="status"/> (ok &lt; degraded &lt; down), with
    /// <paramref name="reason"/> as its reason when that made it worse.
    /// </summary>
    public static ComponentHealth AtLeast(ComponentHealth health, ComponentStatus status, string reason)
    {
        ArgumentNullException.ThrowIfNull(health);
        if (health.Status >= status)
        {
            return health;
        }

        var details = new Dictionary<string, string>(health.Details, StringComparer.Ordinal) { [ReasonKey] = reason };
        return health with { Status = status, Details = details };
    }

    /// <summary>Whether nothing has checked <paramref name="health"/>'s component yet: no success and no error recorded.</summary>
    public static bool IsUnchecked(ComponentHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return health.LastSuccess is null && health.LastErrorAt is null;
    }

    /// <summary>An exception as one line for a health report: its type and message, shortened; never more.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var inner = exception;
        while (inner is AggregateException && inner.InnerException is { } next)
        {
            inner = next;
        }

        var message = inner.Message.ReplaceLineEndings(" ");
        return Trim(inner is HttpRequestException or TimeoutException or IOException ? $"{inner.GetType().Name}: {message}" : message);
    }

    /// <summary>A duration as people read it: 42 s, 3.5 min, 2.0 h.</summary>
    public static string Ago(TimeSpan span) => span.TotalSeconds < 90
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):0} s")
        : span.TotalMinutes < 90
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.0} min")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.0} h");

    private static string Trim(string error) => error.Length <= MaxErrorLength ? error : string.Concat(error.AsSpan(0, MaxErrorLength - 1), "…");
}
