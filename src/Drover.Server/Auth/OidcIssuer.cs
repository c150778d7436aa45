using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Drover.Server.Auth;

/// <summary>
/// The OpenID Connect issuer as Drover sees it: its discovery document (fetched once) and its signing keys (JWKS),
/// cached for <see cref="OidcOptions.KeyLifetime"/> and fetched again early when a token names a key id the cache lacks,
/// at most once per <see cref="OidcOptions.KeyRefreshInterval"/>. Fetches are single-flight. After a failed fetch the
/// issuer is not asked again for <see cref="RetryAfterFailure"/> (requests get the same error at once), and keys that
/// were fetched before stay in use while the issuer cannot be reached.
/// </summary>
internal sealed class OidcIssuer(OidcOptions options, HttpClient http, TimeProvider time, ILogger logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OidcDiscovery? _discovery;
    private IReadOnlyList<SecurityKey> _keys = [];
    private DateTimeOffset _keysFetchedAt = DateTimeOffset.MinValue;
    private (DateTimeOffset At, OidcUnavailableException Error)? _failure;

    /// <summary>How long after a failed fetch the issuer is left alone.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(15);

    /// <summary>The issuer's endpoints, fetched on first use.</summary>
    /// <exception cref="OidcUnavailableException">The issuer cannot be reached or its document is not usable.</exception>
    public async Task<OidcDiscovery> DiscoveryAsync(CancellationToken cancellationToken)
    {
        if (_discovery is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _discovery ??= await FetchDiscoveryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The issuer's signing keys, fetched when none are cached or they are older than the key lifetime.</summary>
    public async Task<IReadOnlyList<SecurityKey>> KeysAsync(CancellationToken cancellationToken)
    {
        if (_keys.Count > 0 && time.GetUtcNow() - _keysFetchedAt < options.KeyLifetime)
        {
            return _keys;
        }

        try
        {
            return await FetchKeysAsync(force: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OidcUnavailableException) when (_keys.Count > 0)
        {
            return _keys; // the last good keys, until the issuer answers again
        }
    }

    /// <summary>
    /// Fetches the keys again because a token named a key id the cache lacks (the issuer may have rotated its keys);
    /// null when the last fetch is more recent than <see cref="OidcOptions.KeyRefreshInterval"/>.
    /// </summary>
    public async Task<IReadOnlyList<SecurityKey>?> RefreshKeysAsync(string? keyId, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _keysFetchedAt < options.KeyRefreshInterval)
        {
            return null;
        }

        AuthLog.UnknownKeyId(logger, keyId ?? "(none)");
        try
        {
            return await FetchKeysAsync(force: true, cancellationToken).ConfigureAwait(false);
        }
        catch (OidcUnavailableException) when (_keys.Count > 0)
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<SecurityKey>> FetchKeysAsync(bool force, CancellationToken cancellationToken)
    {
        var discovery = await DiscoveryAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var age = time.GetUtcNow() - _keysFetchedAt;
            if (_keys.Count > 0 && (force ? age < options.KeyRefreshInterval : age < options.KeyLifetime))
            {
                return _keys; // another request fetched them while this one waited
            }

            var json = await GetAsync(discovery.JwksUri, "signing keys", cancellationToken).ConfigureAwait(false);
            JsonWebKeySet set;
            try
            {
                set = new JsonWebKeySet(json);
            }
            catch (ArgumentException e)
            {
                throw Unavailable($"its signing keys at {discovery.JwksUri} are not a JSON Web Key Set ({e.GetType().Name})");
            }

            var keys = set.GetSigningKeys();
            if (keys.Count == 0)
            {
                throw Unavailable($"its key set at {discovery.JwksUri} holds no signing key Drover can use");
            }

            _keys = [.. keys];
            _keysFetchedAt = time.GetUtcNow();
            AuthLog.KeysFetched(logger, discovery.JwksUri.ToString(), keys.Count);
            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<OidcDiscovery> FetchDiscoveryAsync(CancellationToken cancellationToken)
    {
        var address = new Uri(options.Issuer.ToString().TrimEnd('/') + "/.well-known/openid-configuration");
        var json = await GetAsync(address, "discovery document", cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var issuer = Text(root, "issuer");
            if (!string.Equals(issuer?.TrimEnd('/'), options.Issuer.ToString().TrimEnd('/'), StringComparison.Ordinal))
            {
                throw Unavailable($"its discovery document names the issuer '{issuer}', not the configured '{options.Issuer}'");
            }

            var discovery = new OidcDiscovery(
                issuer!,
                Endpoint(root, "authorization_endpoint", address),
                Endpoint(root, "token_endpoint", address),
                Endpoint(root, "jwks_uri", address),
                Text(root, "end_session_endpoint") is { } end && Uri.TryCreate(end, UriKind.Absolute, out var endUri) ? endUri : null);
            AuthLog.IssuerDiscovered(logger, issuer!, discovery.JwksUri.ToString());
            return discovery;
        }
        catch (JsonException e)
        {
            throw Unavailable($"its discovery document at {address} is not JSON ({e.Message})");
        }
    }

    private async Task<string> GetAsync(Uri address, string what, CancellationToken cancellationToken)
    {
        if (_failure is { } failure && time.GetUtcNow() - failure.At < RetryAfterFailure)
        {
            throw failure.Error;
        }

        try
        {
            using var response = await http.GetAsync(address, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Unavailable($"its {what} at {address} answered {(int)response.StatusCode}");
            }

            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable($"its {what} at {address} cannot be fetched ({e.Message})");
        }
    }

    private OidcUnavailableException Unavailable(string reason)
    {
        AuthLog.IssuerUnavailable(logger, options.Issuer.ToString(), reason);
        var error = new OidcUnavailableException($"the SSO issuer {options.Issuer} cannot be used: {reason}");
        _failure = (time.GetUtcNow(), error);
        return error;
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private Uri Endpoint(JsonElement root, string name, Uri document) =>
        Text(root, name) is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw Unavailable($"its discovery document at {document} has no usable '{name}'");
}
