using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Drover.Engine.Leadership;

/// <summary>
/// Leader election over the store's lease row. Every replica runs <see cref="RunAsync"/>: the one that holds the
/// lease runs the leader's work, renewing every <see cref="LeaderElectionOptions.RetryInterval"/>; the others try to
/// take the lease at the same interval and refresh their read-only view meanwhile. A leader steps down (cancels its work
/// and waits for it to stop) as soon as a renewal is refused, and also when renewals keep failing until the lease is
/// about to run out, so two replicas never act at once. On shutdown the lease is released, so a follower takes over at
/// its next attempt rather than after the lease expires.
/// </summary>
public sealed class LeaderElection
{
    private readonly IStateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LeaderElectionOptions _options;
    private readonly Lock _sync = new();
    private volatile LeaderRole _role = LeaderRole.Unknown;
    private string? _leader;
    private DateTimeOffset? _lastContact;
    private DateTimeOffset? _renewedAt;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    /// <param name="store">The store holding the lease row; shared by every replica.</param>
    /// <param name="holder">This replica's identity, unique among replicas (e.g. host name and a random suffix).</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where role changes are logged.</param>
    /// <param name="options">Lease settings; defaults when null.</param>
    public LeaderElection(IStateStore store, string holder, TimeProvider time, ILogger logger, LeaderElectionOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        Holder = holder;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _options = options ?? LeaderElectionOptions.Default;
        _options.Validate();
    }

    /// <summary>This replica's identity in the lease row.</summary>
    public string Holder { get; }

    /// <summary>This replica's current role.</summary>
    public LeaderRole Role => _role;

    /// <summary>The holder of the lease as last seen, or null when unknown.</summary>
    public string? Leader => Volatile.Read(ref _leader);

    /// <summary>
    /// Leadership as a component (<c>leadership</c>, this replica's id): role, leader and lease. Ok while the last
    /// lease call reached the store (as leader: the lease renewed and not about to run out); degraded before the first
    /// round finished, or while a leader's renewals fail with time left on its lease; down when the last lease call
    /// could not reach the store (a follower cannot tell who leads; a leader is stepping down). Cheap; never calls out.
    /// </summary>
    public ComponentHealth Health()
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            var role = _role;
            var details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["role"] = role.ToString().ToLowerInvariant(),
                ["holder"] = Holder,
                ["leader"] = Leader ?? "unknown",
                ["leaseDuration"] = string.Create(CultureInfo.InvariantCulture, $"{_options.LeaseDuration.TotalSeconds:0} s"),
            };
            var expires = _renewedAt + _options.LeaseDuration;
            if (role == LeaderRole.Leader && expires is { } at)
            {
                details["leaseExpiresAt"] = at.ToString("O", CultureInfo.InvariantCulture);
            }

            var failing = _lastErrorAt is { } errorAt && (_lastContact is not { } contact || errorAt > contact);
            var (status, reason) = role switch
            {
                _ when _lastContact is null && !failing => (ComponentStatus.Degraded, "the election has not finished its first round"),
                LeaderRole.Leader when failing && expires is { } e && e > now => (ComponentStatus.Degraded, $"lease renewals fail ({_lastError}); the lease runs out in {HealthRecorder.Ago(e - now)}"),
                _ when failing => (ComponentStatus.Down, $"the lease cannot be read or renewed: {_lastError}"),
                LeaderRole.Unknown => (ComponentStatus.Degraded, "no role: the election is not running"),
                LeaderRole.Follower when Leader is null => (ComponentStatus.Degraded, "no replica holds the lease; this one tries to take it"),
                _ => (ComponentStatus.Ok, null),
            };
            if (reason is not null)
            {
                details[HealthRecorder.ReasonKey] = reason;
            }

            return new ComponentHealth("leadership", Holder, status)
            {
                LastSuccess = _lastContact,
                LastError = failing ? _lastError : null,
                LastErrorAt = failing ? _lastErrorAt : null,
                Details = details,
            };
        }
    }

    /// <summary>Raised when the role changes, with the new role.</summary>
    public event Action<LeaderRole>? RoleChanged;

    /// <summary>
    /// Runs the election until <paramref name="cancellationToken"/> is cancelled: <paramref name="leaderWork"/> while this
    /// replica leads (its token is cancelled when leadership ends) and <paramref name="followerTick"/> once per attempt while it follows.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> leaderWork, Func<CancellationToken, Task> followerTick, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leaderWork);
        ArgumentNullException.ThrowIfNull(followerTick);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await TryAcquireAsync(cancellationToken).ConfigureAwait(false) is { } acquiredAt)
                {
                    await LeadAsync(leaderWork, acquiredAt, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await FollowAsync(followerTick, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (_role == LeaderRole.Leader)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            SetRole(LeaderRole.Unknown, null);
        }
    }

    private async Task LeadAsync(Func<CancellationToken, Task> leaderWork, DateTimeOffset acquiredAt, CancellationToken cancellationToken)
    {
        SetRole(LeaderRole.Leader, Holder);
        using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => leaderWork(term.Token), CancellationToken.None);
        var renewedAt = acquiredAt;
        var stepDownReason = "shutting down";
        while (!cancellationToken.IsCancellationRequested)
        {
            var finished = await Task.WhenAny(work, Task.Delay(_options.RetryInterval, _time, cancellationToken)).ConfigureAwait(false);
            if (finished == work)
            {
                stepDownReason = work.IsFaulted ? $"the leader's work failed ({work.Exception?.InnerException?.GetType().Name})" : "the leader's work ended";
                break;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            var now = _time.GetUtcNow();
            bool? renewed;
            try
            {
                renewed = await _store.TryAcquireOrRenewLeaseAsync(_options.LeaseName, Holder, _options.LeaseDuration, now, cancellationToken).ConfigureAwait(false);
                Contacted(renewed == true ? now : null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The exception may carry connection details; only its type is logged.
                LeadershipLog.RenewalFailed(_logger, e.GetType().Name);
                ContactFailed($"renewal failed ({e.GetType().Name})");
                renewed = null;
            }

            if (renewed == true)
            {
                renewedAt = now;
                continue;
            }

            if (renewed == false)
            {
                stepDownReason = "another replica holds the lease";
                break;
            }

            // Renewal could not reach the store: step down before the lease can run out under us.
            if (_time.GetUtcNow() + _options.RetryInterval >= renewedAt + _options.LeaseDuration)
            {
                stepDownReason = "the lease could not be renewed in time";
                break;
            }
        }

        LeadershipLog.SteppingDown(_logger, stepDownReason);
        await term.CancelAsync().ConfigureAwait(false);
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (e is not OperationCanceledException)
            {
                LeadershipLog.LeaderWorkFailed(_logger, e);
            }
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            await ReleaseAsync().ConfigureAwait(false);
            SetRole(LeaderRole.Follower, null);
        }
    }

    private async Task FollowAsync(Func<CancellationToken, Task> followerTick, CancellationToken cancellationToken)
    {
        try
        {
            await followerTick(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LeadershipLog.FollowerRefreshFailed(_logger, e);
        }

        await Task.Delay(_options.RetryInterval, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tries to take or renew the lease; the time it was taken, or null (another holder, or the store failed).</summary>
    private async Task<DateTimeOffset?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        try
        {
            if (await _store.TryAcquireOrRenewLeaseAsync(_options.LeaseName, Holder, _options.LeaseDuration, now, cancellationToken).ConfigureAwait(false))
            {
                Contacted(now);
                LeadershipLog.BecameLeader(_logger, Holder);
                return now;
            }

            var lease = await _store.GetLeaseAsync(_options.LeaseName, cancellationToken).ConfigureAwait(false);
            Contacted(null);
            SetRole(LeaderRole.Follower, lease?.Holder);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LeadershipLog.StoreUnreachable(_logger, e.GetType().Name);
            ContactFailed($"the store could not be reached ({e.GetType().Name})");
            SetRole(LeaderRole.Follower, null);
        }

        return null;
    }

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.RetryInterval, _time);
            await _store.ReleaseLeaseAsync(_options.LeaseName, Holder, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LeadershipLog.ReleaseFailed(_logger, e.GetType().Name);
        }
    }

    /// <summary>A lease call reached the store; <paramref name="renewedAt"/> is when this replica took or renewed the lease, if it did.</summary>
    private void Contacted(DateTimeOffset? renewedAt)
    {
        lock (_sync)
        {
            _lastContact = _time.GetUtcNow();
            _renewedAt = renewedAt ?? (_role == LeaderRole.Leader ? _renewedAt : null);
        }
    }

    /// <summary>A lease call failed; <paramref name="error"/> names the exception's type only (it may carry connection details).</summary>
    private void ContactFailed(string error)
    {
        lock (_sync)
        {
            _lastError = error;
            _lastErrorAt = _time.GetUtcNow();
        }
    }

    private void SetRole(LeaderRole role, string? leader)
    {
        Volatile.Write(ref _leader, leader);
        if (_role == role)
        {
            return;
        }

        _role = role;
        RoleChanged?.Invoke(role);
    }
}
