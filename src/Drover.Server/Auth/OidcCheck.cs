namespace Drover.Server.Auth;

/// <summary>The outcome of checking a token: the user and their mapped role (null: none), or why it was refused.</summary>
internal sealed record OidcCheck(string? User, ApiRole? Role, DateTime Expires, string? Problem)
{
    public bool IsValid => Problem is null;

    public static OidcCheck Valid(string user, ApiRole? role, DateTime expires) => new(user, role, expires, null);

    public static OidcCheck Refused(string problem) => new(null, null, default, problem);
}
