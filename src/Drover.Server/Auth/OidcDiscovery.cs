namespace Drover.Server.Auth;

/// <summary>What Drover uses of an issuer's discovery document.</summary>
/// <param name="Issuer">The issuer, exactly as its tokens' <c>iss</c> must read.</param>
/// <param name="AuthorizationEndpoint">Where the browser is sent to sign in.</param>
/// <param name="TokenEndpoint">Where the authorization code is exchanged.</param>
/// <param name="JwksUri">The issuer's signing keys.</param>
/// <param name="EndSessionEndpoint">Where sign-out is sent on, if the issuer has one.</param>
internal sealed record OidcDiscovery(string Issuer, Uri AuthorizationEndpoint, Uri TokenEndpoint, Uri JwksUri, Uri? EndSessionEndpoint);
