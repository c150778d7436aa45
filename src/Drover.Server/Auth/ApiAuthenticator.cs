using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Auth;

/// <summary>
/// Says who calls the API. A bearer token is tried first against the static tokens (opaque, hashed), then, when single
/// sign-on is on and it looks like a JWT, as the issuer's access token. A request with no bearer token may carry the
/// dashboard's session cookie; a state-changing request authenticated that way must come from the public URL's origin.
/// </summary>
public sealed class ApiAuthenticator
{
    private readonly OidcTokenValidator? _validator;
    private readonly SsoCookies? _cookies;
    private readonly string? _origin;
    private readonly ILogger _logger;

    /// <summary>Static tokens only.</summary>
    /// <param name="tokens">The configured tokens.</param>
    public ApiAuthenticator(TokenRegistry tokens)
    {
        Tokens = tokens;
        _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    internal ApiAuthenticator(TokenRegistry tokens, OidcOptions options, OidcTokenValidator validator, SsoCookies? cookies, ILogger logger)
    {
        Tokens = tokens;
        _validator = validator;
        _cookies = cookies;
        _origin = options.PublicUrl?.GetLeftPart(UriPartial.Authority);
        _logger = logger;
    }

    /// <summary>The static API tokens.</summary>
    public TokenRegistry Tokens { get; }

    /// <summary>Whether single sign-on (JWT bearer tokens, and the dashboard session when it has a client id) is on.</summary>
    public bool Sso => _validator is not null;

    /// <summary>Authenticates a request; see the type's summary for the order.</summary>
    public async Task<ApiAuthentication> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RoleFilter.BearerToken(request) is { Length: > 0 } presented)
        {
            if (Tokens.Find(presented) is { } token)
            {
                return ApiAuthentication.As(ApiCaller.Of(token));
            }

            if (_validator is null || !OidcTokenValidator.LooksLikeJwt(presented))
            {
                return ApiAuthentication.Refused("unauthenticated: send Authorization: Bearer <token>", presented: true);
            }

            OidcCheck check;
            try
            {
                check = await _validator.ValidateAccessTokenAsync(presented, cancellationToken).ConfigureAwait(false);
            }
            catch (OidcUnavailableException e)
            {
                return ApiAuthentication.Unavailable(e.Message);
            }
            catch (LdapUnavailableException e)
            {
                return ApiAuthentication.Unavailable($"no role can be given now: {e.Message}");
            }

            if (!check.IsValid)
            {
                return ApiAuthentication.Refused($"unauthenticated: {check.Problem}", presented: true);
            }

            return check.Role is { } role
                ? ApiAuthentication.As(ApiCaller.Sso(check.User!, role))
                : ApiAuthentication.NoRole(check.User!);
        }

        if (_cookies?.Session(request) is { } caller)
        {
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
                && CrossOrigin(request) is { } problem)
            {
                AuthLog.CookieRequestRefused(_logger, request.Method, request.Path.ToString(), caller.Name, problem);
                return ApiAuthentication.Forbidden($"forbidden: {problem}");
            }

            return ApiAuthentication.As(caller);
        }

        return ApiAuthentication.Refused(
            _cookies is null ? "unauthenticated: send Authorization: Bearer <token>" : "unauthenticated: send Authorization: Bearer <token> or sign in at /auth/login",
            presented: false);
    }

    /// <summary>
    /// Why a state-changing request carrying only the session cookie may have been sent by another site, or null when it
    /// came from the public URL's origin (its <c>Origin</c> header, else <c>Sec-Fetch-Site: same-origin</c>).
    /// </summary>
    private string? CrossOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return string.Equals(origin, _origin, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"a {request.Method} signed in by cookie must come from {_origin}, not {origin}";
        }

        return string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "same-origin", StringComparison.Ordinal)
            ? null
            : $"a {request.Method} signed in by cookie needs an Origin header ({_origin}); scripts and tools use a bearer token";
    }
}
