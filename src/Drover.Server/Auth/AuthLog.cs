using Microsoft.Extensions.Logging;

namespace Drover.Server.Auth;

/// <summary>Single sign-on's log messages (source-generated). Never pass a token, code, cookie or client secret to these.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 8400, Level = LogLevel.Information, Message = "SSO issuer {Issuer} discovered; signing keys at {JwksUri}")]
    public static partial void IssuerDiscovered(ILogger logger, string issuer, string jwksUri);

    [LoggerMessage(EventId = 8401, Level = LogLevel.Warning, Message = "SSO issuer {Issuer} cannot be used: {Reason}")]
    public static partial void IssuerUnavailable(ILogger logger, string issuer, string reason);

    [LoggerMessage(EventId = 8402, Level = LogLevel.Information, Message = "SSO signing keys fetched from {JwksUri}: {Count} key(s)")]
    public static partial void KeysFetched(ILogger logger, string jwksUri, int count);

    [LoggerMessage(EventId = 8403, Level = LogLevel.Information, Message = "A token names signing key id {KeyId}, which the cached keys lack; fetching the issuer's keys again")]
    public static partial void UnknownKeyId(ILogger logger, string keyId);

    [LoggerMessage(EventId = 8404, Level = LogLevel.Debug, Message = "SSO token refused: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 8405, Level = LogLevel.Information, Message = "{User} signed in to the dashboard as {Role}")]
    public static partial void SignedIn(ILogger logger, string user, string role);

    [LoggerMessage(EventId = 8406, Level = LogLevel.Warning, Message = "Dashboard sign-in refused: {Reason}")]
    public static partial void SignInRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 8407, Level = LogLevel.Information, Message = "{User} signed out of the dashboard")]
    public static partial void SignedOut(ILogger logger, string user);

    [LoggerMessage(EventId = 8408, Level = LogLevel.Warning, Message = "{Method} {Path} by {User} with the session cookie refused: {Reason}")]
    public static partial void CookieRequestRefused(ILogger logger, string method, string path, string user, string reason);

    [LoggerMessage(EventId = 8750, Level = LogLevel.Information, Message = "LDAP directory {Directory} bound as {BindDn}; groups are looked up there")]
    public static partial void DirectoryBound(ILogger logger, string directory, string bindDn);

    [LoggerMessage(EventId = 8751, Level = LogLevel.Warning, Message = "LDAP directory {Directory} cannot be used at start-up, nobody gets a role from it until it answers: {Reason}")]
    public static partial void DirectoryUnavailable(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 8752, Level = LogLevel.Warning, Message = "LDAP call to {Directory} failed: {Reason}")]
    public static partial void DirectoryCallFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 8753, Level = LogLevel.Information, Message = "LDAP user search for '{User}' found {Count} entries, not one; the user has no groups from the directory")]
    public static partial void DirectoryUserNotFound(ILogger logger, string user, string count);

    [LoggerMessage(EventId = 8754, Level = LogLevel.Debug, Message = "LDAP groups of '{User}': {Count} value(s), role {Role}")]
    public static partial void DirectoryGroups(ILogger logger, string user, int count, string role);
}
