namespace Drover.Server.Auth;

/// <summary>
/// Who made an API request: a static token (<c>api:NAME</c> in the event log) or a single sign-on user (<c>sso:NAME</c>),
/// and the role that caller has.
/// </summary>
/// <param name="Name">The token's name or the user's name (the issuer's <c>preferred_username</c>, else email, else subject).</param>
/// <param name="Role">What the caller may do.</param>
/// <param name="Actor">How the event log names the caller: <c>api:NAME</c> or <c>sso:NAME</c>.</param>
public sealed record ApiCaller(string Name, ApiRole Role, string Actor)
{
    /// <summary>The caller a static API token stands for.</summary>
    public static ApiCaller Of(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new ApiCaller(token.Name, token.Role, $"api:{token.Name}");
    }

    /// <summary>A single sign-on user with a mapped role.</summary>
    public static ApiCaller Sso(string user, ApiRole role) => new(user, role, $"sso:{user}");
}
