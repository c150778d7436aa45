using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Drover.Core.Adapters;

/// <summary>
/// Per-instance bootstrap tokens, for providers whose instances boot far from Drover (cloud VMs, external provider
/// plugins) and must fetch their runner credential themselves. The provider takes the credential out of the
/// <see cref="RunnerCredentialVault"/>, <see cref="Issue">issues</see> a token for it and puts only the token in the
/// instance's user data or bootstrap parameters; the instance presents the token to Drover's bootstrap endpoints.
/// A token is worthless once its credential was taken (single use), once it expired, and once the runner is
/// <see cref="Close">closed</see> (registered, failed or deleted), so a token read later from user data or a console
/// log gives nothing. Tokens live in the memory of the process that issued them (the leader) and are kept only as
/// SHA-256 hashes; neither a token nor a credential is ever written to the state store, a backup or a log.
/// </summary>
public sealed class InstanceBootstrap
{
    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <param name="time">The clock that decides expiry.</param>
    public InstanceBootstrap(TimeProvider time) => _time = time ?? throw new ArgumentNullException(nameof(time));

    /// <summary>How many tokens are live (neither expired nor closed).</summary>
    public int Count
    {
        get
        {
            var now = _time.GetUtcNow();
            return _byHash.Values.Count(e => !e.Closed && e.ExpiresAt > now);
        }
    }

    /// <summary>
    /// Issues a token for <paramref name="runnerName"/> of <paramref name="pool"/> that hands out
    /// <paramref name="credential"/> once, for <paramref name="validity"/> from now. Returns the token: a secret,
    /// to be written only where the instance reads it.
    /// </summary>
    public string Issue(string pool, string runnerName, RunnerCredential credential, TimeSpan validity)
    {
        ArgumentException.ThrowIfNullOrEmpty(pool);
        ArgumentException.ThrowIfNullOrEmpty(runnerName);
        ArgumentNullException.ThrowIfNull(credential);
        if (validity <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), validity, "A bootstrap token must be valid for some time.");
        }

        Purge();
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        _byHash[Hash(token)] = new Entry(pool, runnerName, credential, _time.GetUtcNow() + validity);
        return token;
    }

    /// <summary>
    /// The session a token opens while it is valid (not expired, not closed), whether or not its credential was
    /// taken; null otherwise. Endpoints that an instance may call several times while it boots (status callbacks,
    /// metadata) authenticate with this.
    /// </summary>
    public InstanceBootstrapSession? Authenticate(string? token)
    {
        var entry = Find(token);
        return entry is null ? null : new InstanceBootstrapSession(entry.Pool, entry.RunnerName, entry.ExpiresAt, entry.CredentialTaken)
        {
            CredentialKind = entry.Credential.Kind,
            Status = entry.Status,
        };
    }

    /// <summary>
    /// The credential a valid token hands out, without using it up: for an instance that fetches parts of it several
    /// times while it boots (the files of a JIT configuration, as GARM's metadata endpoints serve them). Null for an
    /// expired, closed or unknown token, and once the credential was taken with <see cref="TakeCredential"/>.
    /// </summary>
    public RunnerCredential? ReadCredential(string? token)
    {
        var entry = Find(token);
        if (entry is null)
        {
            return null;
        }

        lock (entry)
        {
            return entry.CredentialTaken ? null : entry.Credential;
        }
    }

    /// <summary>
    /// Records the bootstrap status an instance reports with its token, by GARM's rules: <c>pending</c> →
    /// <c>installing</c> → <c>idle</c>, <c>failed</c> from <c>pending</c> or <c>installing</c>, the same status again
    /// allowed, an empty status (a message only) always. Once an instance reports <c>idle</c> (its runner is installed)
    /// or <c>failed</c> its runner is <see cref="Close">closed</see>: the token gives nothing more.
    /// </summary>
    /// <returns>What became of the report; <paramref name="session"/> is the token's session when it was valid.</returns>
    public BootstrapStatusReport ReportStatus(string? token, string? status, out InstanceBootstrapSession? session)
    {
        session = Authenticate(token);
        var entry = Find(token);
        if (session is null || entry is null)
        {
            return BootstrapStatusReport.InvalidToken;
        }

        if (string.IsNullOrEmpty(status))
        {
            return BootstrapStatusReport.Accepted;
        }

        lock (entry)
        {
            var allowed = status == entry.Status || (entry.Status, status) switch
            {
                (BootstrapStatus.Pending, BootstrapStatus.Installing) => true,
                (BootstrapStatus.Pending or BootstrapStatus.Installing, BootstrapStatus.Idle or BootstrapStatus.Failed) => true,
                _ => false,
            };
            if (!allowed)
            {
                return BootstrapStatusReport.InvalidTransition;
            }

            entry.Status = status;
        }

        if (status is BootstrapStatus.Idle or BootstrapStatus.Failed)
        {
            Close(session.RunnerName);
        }

        return BootstrapStatusReport.Accepted;
    }

    /// <summary>
    /// Takes the credential a valid token hands out. Only the first call for a token gets it; every later call, and a
    /// call with an expired, closed or unknown token, gets null.
    /// </summary>
    public RunnerCredential? TakeCredential(string? token)
    {
        var entry = Find(token);
        if (entry is null)
        {
            return null;
        }

        lock (entry)
        {
            if (entry.CredentialTaken)
            {
                return null;
            }

            entry.CredentialTaken = true;
            return entry.Credential;
        }
    }

    /// <summary>Makes every token of <paramref name="runnerName"/> worthless (its runner registered, failed or was deleted).</summary>
    public void Close(string runnerName)
    {
        foreach (var (hash, entry) in _byHash)
        {
            if (string.Equals(entry.RunnerName, runnerName, StringComparison.Ordinal))
            {
                entry.Closed = true;
                _byHash.TryRemove(hash, out _);
            }
        }
    }

    private Entry? Find(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 256)
        {
            return null;
        }

        return _byHash.TryGetValue(Hash(token), out var entry) && !entry.Closed && entry.ExpiresAt > _time.GetUtcNow() ? entry : null;
    }

    private void Purge()
    {
        var now = _time.GetUtcNow();
        foreach (var (hash, entry) in _byHash)
        {
            if (entry.Closed || entry.ExpiresAt <= now)
            {
                _byHash.TryRemove(hash, out _);
            }
        }
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class Entry(string pool, string runnerName, RunnerCredential credential, DateTimeOffset expiresAt)
    {
        public string Pool { get; } = pool;

        public string RunnerName { get; } = runnerName;

        public RunnerCredential Credential { get; } = credential;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool CredentialTaken { get; set; }

        public bool Closed { get; set; }

        public string Status { get; set; } = BootstrapStatus.Pending;
    }
}

/// <summary>What a valid bootstrap token stands for.</summary>
/// <param name="Pool">The runner's pool.</param>
/// <param name="RunnerName">The runner (its name at the forge and its idempotency key).</param>
/// <param name="ExpiresAt">When the token stops being valid.</param>
/// <param name="CredentialTaken">Whether the instance already fetched its credential.</param>
public sealed record InstanceBootstrapSession(string Pool, string RunnerName, DateTimeOffset ExpiresAt, bool CredentialTaken)
{
    /// <summary>What the credential is (<c>jit-config</c>, <c>runner-token</c>); not secret.</summary>
    public string CredentialKind { get; init; } = string.Empty;

    /// <summary>The bootstrap status the instance last reported (<see cref="BootstrapStatus"/>); <c>pending</c> before any.</summary>
    public string Status { get; init; } = BootstrapStatus.Pending;
}
