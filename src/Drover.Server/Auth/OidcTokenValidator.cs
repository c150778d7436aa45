using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Drover.Server.Auth;

/// <summary>
/// Checks a JWT from the issuer with Microsoft.IdentityModel: an asymmetric signature by one of the issuer's keys
/// (a key id the cache lacks fetches the keys again, bounded, and checks once more), <c>iss</c>, <c>aud</c>, <c>exp</c>
/// and <c>nbf</c> within the clock skew on the injected clock, and for ID tokens the sign-in's <c>nonce</c>; then maps
/// the roles claim to a role, or, with an LDAP directory, the directory's groups of the user the token names (asked at
/// every sign-in, cached for API tokens).
/// </summary>
internal sealed class OidcTokenValidator(OidcOptions options, OidcIssuer issuer, TimeProvider time, ILogger logger, LdapDirectory? directory = null)
{
    private static readonly string[] _algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>True when <paramref name="token"/> looks like a JWT (three dot-separated parts), so it is worth checking as one.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && token.Length > 10;

    /// <summary>Checks an API bearer token (audience <see cref="OidcOptions.ApiAudience"/>).</summary>
    /// <exception cref="OidcUnavailableException">The issuer cannot be reached.</exception>
    /// <exception cref="LdapUnavailableException">The LDAP directory cannot be asked for the user's groups.</exception>
    public Task<OidcCheck> ValidateAccessTokenAsync(string token, CancellationToken cancellationToken) =>
        ValidateAsync(token, options.ApiAudience, nonce: null, cancellationToken);

    /// <summary>Checks the ID token of a sign-in (audience the client id, and the sign-in's nonce).</summary>
    /// <exception cref="OidcUnavailableException">The issuer cannot be reached.</exception>
    /// <exception cref="LdapUnavailableException">The LDAP directory cannot be asked for the user's groups.</exception>
    public Task<OidcCheck> ValidateIdTokenAsync(string token, string nonce, CancellationToken cancellationToken) =>
        ValidateAsync(token, options.ClientId ?? throw new InvalidOperationException("no client id"), nonce, cancellationToken);

    private async Task<OidcCheck> ValidateAsync(string token, string audience, string? nonce, CancellationToken cancellationToken)
    {
        var discovery = await issuer.DiscoveryAsync(cancellationToken).ConfigureAwait(false);
        var keys = await issuer.KeysAsync(cancellationToken).ConfigureAwait(false);
        var result = await _handler.ValidateTokenAsync(token, Parameters(discovery.Issuer, audience, keys)).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException
            && await issuer.RefreshKeysAsync(KeyId(token), cancellationToken).ConfigureAwait(false) is { } fresh)
        {
            result = await _handler.ValidateTokenAsync(token, Parameters(discovery.Issuer, audience, fresh)).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            var reason = Reason(result.Exception);
            AuthLog.TokenRefused(logger, reason);
            return OidcCheck.Refused(reason);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (nonce is not null && !(jwt.TryGetPayloadValue<string>("nonce", out var claimed) && FixedTimeEquals(claimed, nonce)))
        {
            AuthLog.TokenRefused(logger, "the ID token's nonce is not the one this sign-in sent");
            return OidcCheck.Refused("the ID token's nonce is not the one this sign-in sent");
        }

        var user = Claim(jwt, "preferred_username") ?? Claim(jwt, "email") ?? jwt.Subject;
        if (string.IsNullOrEmpty(user))
        {
            return OidcCheck.Refused("the token names no user (no preferred_username, email or sub)");
        }

        if (directory is null)
        {
            var values = jwt.Claims.Where(c => c.Type == options.RolesClaim).Select(c => c.Value);
            return OidcCheck.Valid(user, OidcRoleMapping.RoleOf(options.Roles, values), jwt.ValidTo);
        }

        if (Claim(jwt, directory.UserClaim) is not { } account)
        {
            AuthLog.TokenRefused(logger, $"the token has no '{directory.UserClaim}' claim to look the user up in the LDAP directory");
            return OidcCheck.Refused($"the token has no '{directory.UserClaim}' claim to look the user up in the LDAP directory");
        }

        // A sign-in (an ID token) always asks the directory; API tokens may use the short cache.
        var groups = await directory.GroupsAsync(account, fresh: nonce is not null, cancellationToken).ConfigureAwait(false);
        var role = OidcRoleMapping.RoleOf(options.Roles, groups);
        AuthLog.DirectoryGroups(logger, account, groups.Count, role?.ToString().ToLowerInvariant() ?? "none");
        return OidcCheck.Valid(user, role, jwt.ValidTo);
    }

    private TokenValidationParameters Parameters(string validIssuer, string audience, IReadOnlyList<SecurityKey> keys) => new()
    {
        ValidIssuer = validIssuer,
        ValidAudience = audience,
        IssuerSigningKeys = keys,
        ValidAlgorithms = _algorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = options.ClockSkew,
        TryAllIssuerSigningKeys = true,
        LifetimeValidator = Lifetime,
    };

    /// <summary><c>exp</c> and <c>nbf</c> on the injected clock, with the configured skew.</summary>
    private bool Lifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("the token has no exp");
        }

        if (notBefore is { } nbf && nbf > now + options.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("the token is not valid yet (nbf)") { NotBefore = nbf };
        }

        if (exp < now - options.ClockSkew)
        {
            throw new SecurityTokenExpiredException("the token has expired (exp)") { Expires = exp };
        }

        return true;
    }

    /// <summary>Why a token was refused, in Drover's words (never the token or parts of it).</summary>
    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenNoExpirationException => "the token has no expiry",
        SecurityTokenInvalidAudienceException => "the token is for another audience",
        SecurityTokenInvalidIssuerException => "the token is from another issuer",
        SecurityTokenSignatureKeyNotFoundException => "the token is signed with a key the issuer does not publish",
        SecurityTokenInvalidSignatureException => "the token's signature is not valid",
        SecurityTokenInvalidAlgorithmException => "the token's signing algorithm is not accepted",
        SecurityTokenMalformedException => "the token is not a well-formed JWT",
        _ => "the token is not valid",
    };

    private static string? KeyId(string token)
    {
        try
        {
            return new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string? Claim(JsonWebToken jwt, string type) =>
        jwt.TryGetPayloadValue<string>(type, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
