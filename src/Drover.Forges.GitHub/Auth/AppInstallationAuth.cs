using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Forges.GitHub.Auth;

/// <summary>
/// GitHub App authentication: a JWT signed with the app's private key is exchanged for an installation access token,
/// which is cached and refreshed <see cref="RefreshBefore"/> its expiry. Refreshes are single-flight: however many
/// calls need a token at once, one request goes to the token endpoint and the others wait for its answer.
/// </summary>
internal sealed class AppInstallationAuth : IGitHubAuth
{
    /// <summary>A cached token is replaced this long before it expires.</summary>
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly long _appId;
    private readonly long _installationId;
    private readonly SecretRef _privateKey;
    private readonly SecretResolver _secrets;
    private readonly Func<string, long, CancellationToken, Task<(string Token, DateTimeOffset ExpiresAt)>> _exchange;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile CachedToken? _cached;
    private int _exchanges;

    /// <param name="appId">The app's id.</param>
    /// <param name="installationId">The installation whose token is wanted.</param>
    /// <param name="privateKey">Where the app's PEM key lives.</param>
    /// <param name="secrets">Resolves the key.</param>
    /// <param name="exchange">Posts a JWT to <c>/app/installations/{id}/access_tokens</c>; returns the token and its expiry.</param>
    /// <param name="time">The clock.</param>
    public AppInstallationAuth(
        long appId,
        long installationId,
        SecretRef privateKey,
        SecretResolver secrets,
        Func<string, long, CancellationToken, Task<(string Token, DateTimeOffset ExpiresAt)>> exchange,
        TimeProvider time)
    {
        _appId = appId;
        _installationId = installationId;
        _privateKey = privateKey ?? throw new ArgumentNullException(nameof(privateKey));
        _secrets = secrets ?? throw new ArgumentNullException(nameof(secrets));
        _exchange = exchange ?? throw new ArgumentNullException(nameof(exchange));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc/>
    public string Describe => $"app {_appId} installation {_installationId}";

    /// <summary>How many times a token was fetched from GitHub.</summary>
    public int Exchanges => Volatile.Read(ref _exchanges);

    /// <inheritdoc/>
    public async Task<string> AuthorizationAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_cached) is { } token)
        {
            return "Bearer " + token;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate before us may have fetched a token already.
            if (Fresh(_cached) is { } fetched)
            {
                return "Bearer " + fetched;
            }

            var jwt = AppJwt.Create(_appId, _secrets.Resolve(_privateKey, "GitHub App private key (auth.privateKey)"), _time.GetUtcNow());
            Interlocked.Increment(ref _exchanges);
            var (value, expiresAt) = await _exchange(jwt, _installationId, cancellationToken).ConfigureAwait(false);
            _cached = new CachedToken(value, expiresAt);
            return "Bearer " + value;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <inheritdoc/>
    public void Invalidate() => _cached = null;

    private string? Fresh(CachedToken? cached) =>
        cached is not null && cached.ExpiresAt - _time.GetUtcNow() > RefreshBefore ? cached.Value : null;

    private sealed record CachedToken(string Value, DateTimeOffset ExpiresAt)
    {
        public override string ToString() => $"installation token (redacted, expires {ExpiresAt:O})";
    }
}
