using System.Globalization;
using System.Net;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>
/// The demand of one scale-set pool, run on the leader only: registers or adopts the pool's runner scale set (and keeps
/// its runner group and labels those of the pool), holds its one message session and long-polls it with the last
/// handled message id. Each message is handled in this order: its available jobs acquired, the message stored among the
/// forge's deliveries together with the new cursor (one transaction: a new leader resumes after it and the engine reads
/// it even if this replica dies now), its job events handed to the ledger, then acknowledged. A message at or before the
/// cursor (an acknowledgement that was lost) is acknowledged again without effect. The events carry the scale set's name
/// as their one label: GitHub already chose the set, and the pool's labels include that name, so the ledger matches
/// them to this pool.
/// <para>
/// A 401 refreshes the session's token (also done a minute before it expires); a session gone (404) is opened again; a
/// session another holder has (409) is waited for, never taken over; other failures back off exponentially with
/// jitter, never sooner than a <c>Retry-After</c>. When the term ends the session is closed.
/// </para>
/// </summary>
internal sealed class ScaleSetListener
{
    private static readonly TimeSpan _refreshBefore = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan _closeTimeout = TimeSpan.FromSeconds(5);
    private readonly string _forge;
    private readonly string _pool;
    private readonly Func<PoolConfig?> _config;
    private readonly ActionsServiceClient _client;
    private readonly IStateStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScaleSetListenerOptions _options;
    private readonly PollBackoff _backoff;
    private long _memoryCursor;
    private volatile string _state = "starting";

    public ScaleSetListener(string forge, string pool, Func<PoolConfig?> config, ActionsServiceClient client, IStateStore? store, TimeProvider time, ILogger logger, ScaleSetListenerOptions options)
    {
        _forge = forge;
        _pool = pool;
        _config = config;
        _client = client;
        _store = store;
        _time = time;
        _logger = logger;
        _options = options;
        _backoff = new PollBackoff(TimeSpan.FromSeconds(30), options.Random);
        ScaleSetName = config() is { ForgeSettings: GitHubPoolSettings { ScaleSet: { } settings } } initial ? settings.NameFor(initial) : null;
    }

    /// <summary>The pool this listener serves.</summary>
    public string Pool => _pool;

    /// <summary>The service client of the pool's scope.</summary>
    public ActionsServiceClient Client => _client;

    /// <summary>The scale set's name, once the pool is known.</summary>
    public string? ScaleSetName { get; private set; }

    /// <summary>The scale set's id, once registered or adopted.</summary>
    public long? ScaleSetId { get; private set; }

    /// <summary>The session state in words: <c>listening</c>, <c>waiting: …</c>, <c>failing since …</c>, <c>closed</c>.</summary>
    public string State => _state;

    /// <summary>Whether a session is held and the last poll worked.</summary>
    public bool Listening => _state == "listening";

    /// <summary>The statistics of the last message (or session), as GitHub sent them.</summary>
    public ScaleSetStatistics? Statistics { get; private set; }

    /// <summary>How late the last message's newest job event reached this listener.</summary>
    public TimeSpan? MessageLag { get; private set; }

    /// <summary>The last message handled.</summary>
    public long LastMessageId => Interlocked.Read(ref _memoryCursor);

    /// <summary>Runs until cancelled (the end of the term) or until the pool is gone.</summary>
    public async Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                if (_config() is not { } pool || pool.ForgeSettings is not GitHubPoolSettings { ScaleSet: { } settings })
                {
                    _state = "stopped: the pool no longer serves a scale set";
                    return;
                }

                ScaleSetName = settings.NameFor(pool);
                if (settings.Delete)
                {
                    await DeleteAsync(pool, settings, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var set = await EnsureScaleSetAsync(pool, settings, cancellationToken).ConfigureAwait(false);
                await ListenAsync(set, pool, sink, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ActionsServiceException e) when (e.Is("RunnerScaleSetSessionConflictException") || e.Status == HttpStatusCode.Conflict)
            {
                wait = _options.ConflictRetry;
                _state = string.Create(CultureInfo.InvariantCulture, $"waiting: another holder has the session (since {_time.GetUtcNow():O})");
                ScaleSetLog.SessionConflict(_logger, _forge, ScaleSetName ?? _pool, wait);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                wait = Failed(e);
            }

            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _state = "closed";
    }

    /// <summary>Finds the scale set by name in its runner group, creating it when missing and correcting labels or group that differ.</summary>
    private async Task<ScaleSetInfo> EnsureScaleSetAsync(PoolConfig pool, ScaleSetSettings settings, CancellationToken cancellationToken)
    {
        var name = settings.NameFor(pool);
        var group = string.Equals(settings.RunnerGroup, ScaleSetSettings.DefaultRunnerGroup, StringComparison.OrdinalIgnoreCase)
            ? 1
            : await _client.GetRunnerGroupIdAsync(settings.RunnerGroup, cancellationToken).ConfigureAwait(false);
        var labels = LabelsOf(pool, name);
        var set = await _client.GetScaleSetAsync(group, name, cancellationToken).ConfigureAwait(false);
        if (set is null && ScaleSetId is { } known)
        {
            // Moved to another runner group since: found by id, then moved back in line below.
            set = (await _client.ListScaleSetsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.Id == known);
        }

        if (set is null)
        {
            set = await _client.CreateScaleSetAsync(name, group, labels, cancellationToken).ConfigureAwait(false);
            ScaleSetLog.Registered(_logger, _forge, set.Name, set.Id, set.RunnerGroupId, string.Join(", ", set.Labels), pool.Name);
        }
        else
        {
            if (ScaleSetId != set.Id)
            {
                ScaleSetLog.Adopted(_logger, _forge, set.Name, set.Id, pool.Name);
            }

            if (set.RunnerGroupId != group || set.Name != name || !set.Labels.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(labels))
            {
                set = await _client.UpdateScaleSetAsync(set.Id, name, group, labels, cancellationToken).ConfigureAwait(false);
                ScaleSetLog.Updated(_logger, _forge, set.Name, set.Id, set.RunnerGroupId, string.Join(", ", set.Labels), pool.Name);
            }
        }

        ScaleSetId = set.Id;
        return set;
    }

    /// <summary>The labels the scale set carries: its name, then the pool's labels (<c>self-hosted</c> is implied).</summary>
    public static IReadOnlyList<string> LabelsOf(PoolConfig pool, string name) =>
        [name, .. pool.Labels.Where(l => !l.Equals("self-hosted", StringComparison.OrdinalIgnoreCase) && !l.Equals(name, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase)];

    private async Task DeleteAsync(PoolConfig pool, ScaleSetSettings settings, CancellationToken cancellationToken)
    {
        var name = settings.NameFor(pool);
        var group = string.Equals(settings.RunnerGroup, ScaleSetSettings.DefaultRunnerGroup, StringComparison.OrdinalIgnoreCase)
            ? 1
            : await _client.GetRunnerGroupIdAsync(settings.RunnerGroup, cancellationToken).ConfigureAwait(false);
        while (await _client.GetScaleSetAsync(group, name, cancellationToken).ConfigureAwait(false) is { } set)
        {
            ScaleSetId = set.Id;
            var runners = (await _client.ListRunnersAsync(null, cancellationToken).ConfigureAwait(false)).Where(r => r.ScaleSetId == set.Id).ToList();
            if (runners.Any(r => r.Busy))
            {
                _state = "deleting: waiting for busy runners";
                await Task.Delay(_options.ConflictRetry, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await _client.DeleteScaleSetAsync(set.Id, cancellationToken).ConfigureAwait(false);
            ScaleSetLog.Deleted(_logger, _forge, name, set.Id, pool.Name);
        }

        _state = "deleted";
    }

    private async Task ListenAsync(ScaleSetInfo set, PoolConfig pool, Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        var cursorName = string.Create(CultureInfo.InvariantCulture, $"scaleset:{set.Id}");
        var cursor = Math.Max(_store is null ? 0 : await _store.GetForgeCursorAsync(_forge, cursorName, cancellationToken).ConfigureAwait(false) ?? 0, ScaleSetId == set.Id ? LastMessageId : 0);
        Interlocked.Exchange(ref _memoryCursor, cursor);
        var session = await _client.CreateSessionAsync(set.Id, _options.Owner, cancellationToken).ConfigureAwait(false);
        Statistics = session.Statistics ?? Statistics;
        Recovered();
        _state = "listening";
        ScaleSetLog.SessionOpened(_logger, _forge, set.Name, cursor);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    if (session.TokenExpiresAt is { } expires && expires - _time.GetUtcNow() < _refreshBefore)
                    {
                        await _client.RefreshSessionAsync(set.Id, session, cancellationToken).ConfigureAwait(false);
                    }

                    var capacity = Math.Max(0, (_config() ?? pool).Max);
                    var message = await WithTokenAsync(set.Id, session, () => _client.GetMessageAsync(session, cursor, capacity, _options.PollTimeout, cancellationToken), cancellationToken).ConfigureAwait(false);
                    if (message is not null)
                    {
                        await HandleAsync(set, _config() ?? pool, session, message, cursorName, cursor, sink, cancellationToken).ConfigureAwait(false);
                        cursor = Math.Max(cursor, message.Id);
                        Interlocked.Exchange(ref _memoryCursor, cursor);
                    }

                    Recovered();
                    _state = "listening";
                }
                catch (ActionsServiceException e) when (e.Status == HttpStatusCode.NotFound && !cancellationToken.IsCancellationRequested)
                {
                    // The session (or the scale set) is gone at GitHub: a new session, or registering again, next round.
                    ScaleSetLog.SessionLost(_logger, _forge, set.Name, e.Message);
                    session = null!;
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(Failed(e), _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (session is not null)
            {
                await CloseAsync(set, session).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleAsync(ScaleSetInfo set, PoolConfig pool, ScaleSetSession session, ScaleSetMessage message, string cursorName, long cursor, Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        Statistics = message.Statistics ?? Statistics;
        if (message.Id <= cursor)
        {
            ScaleSetLog.AlreadyHandled(_logger, _forge, set.Name, message.Id);
            await WithTokenAsync(set.Id, session, async () => { await _client.AcknowledgeAsync(session, message.Id, cancellationToken).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var available = ScaleSetMessageReader.Available(message.Body);
        IReadOnlyList<long> acquired = [];
        if (available.Count > 0)
        {
            acquired = await WithTokenAsync(set.Id, session, () => _client.AcquireJobsAsync(set.Id, session, available, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        var deliveryId = ScaleSetMessageReader.DeliveryId(set.Id, message.Id);
        IReadOnlyList<JobEvent> events;
        try
        {
            events = ScaleSetMessageReader.Events(_forge, deliveryId, message.Body, [set.Name], acquired.ToHashSet(), now);
        }
        catch (FormatException e)
        {
            ScaleSetLog.MessageUnreadable(_logger, _forge, set.Name, message.Id, e.Message);
            events = [];
        }

        if (_store is not null)
        {
            var stored = new WebhookDelivery
            {
                Forge = _forge,
                DeliveryId = deliveryId,
                ReceivedAt = now,
                HeadersJson = JsonSerializer.Serialize(new Dictionary<string, string> { [ScaleSetMessageReader.Header] = set.Name }),
                Body = ScaleSetMessageReader.Store(pool.Name, set.Name, set.Id, message.Id, [set.Name], acquired, message.Body),
            };
            await _store.InTransactionAsync(
                async (writer, ct) =>
                {
                    var fresh = await writer.TryInsertDeliveryAsync(stored, ct).ConfigureAwait(false);
                    await writer.AdvanceForgeCursorAsync(_forge, cursorName, message.Id, now, ct).ConfigureAwait(false);
                    return fresh;
                },
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var e in events)
        {
            sink(e);
        }

        if (events.Count > 0)
        {
            MessageLag = now - events.Max(e => e.At);
        }

        await WithTokenAsync(set.Id, session, async () => { await _client.AcknowledgeAsync(session, message.Id, cancellationToken).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a queue-token call; on 401 refreshes the session's token and runs it once more.</summary>
    private async Task<T> WithTokenAsync<T>(long setId, ScaleSetSession session, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ActionsServiceException e) when (e.Status == HttpStatusCode.Unauthorized)
        {
            await _client.RefreshSessionAsync(setId, session, cancellationToken).ConfigureAwait(false);
            return await call().ConfigureAwait(false);
        }
    }

    private async Task CloseAsync(ScaleSetInfo set, ScaleSetSession session)
    {
        using var timeout = new CancellationTokenSource(_closeTimeout, _time);
        try
        {
            await _client.DeleteSessionAsync(set.Id, session, timeout.Token).ConfigureAwait(false);
            ScaleSetLog.SessionClosed(_logger, _forge, set.Name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ScaleSetLog.SessionCloseFailed(_logger, _forge, set.Name, e.Message);
        }

        _state = "closed";
    }

    private TimeSpan Failed(Exception e)
    {
        var now = _time.GetUtcNow();
        var (wait, started) = _backoff.Failed(now);
        if (CallFailures.Classify(e).RetryAt is { } retryAt && retryAt - now > wait)
        {
            wait = retryAt - now;
        }

        _state = string.Create(CultureInfo.InvariantCulture, $"failing since {_backoff.FailingSince:O} ({_backoff.Failures} rounds): {e.Message}");
        if (started)
        {
            ScaleSetLog.Failing(_logger, _forge, ScaleSetName ?? _pool, e.Message, wait);
        }

        return wait;
    }

    private void Recovered()
    {
        if (_backoff.Succeeded().Recovered is { } recovered)
        {
            ScaleSetLog.Recovered(_logger, _forge, ScaleSetName ?? _pool, recovered.Rounds);
        }
    }
}
