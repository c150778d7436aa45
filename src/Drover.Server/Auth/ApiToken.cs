namespace Drover.Server.Auth;

/// <summary>A configured API token: its name (logged as the caller), its role and the SHA-256 of its value.</summary>
/// <param name="Name">The token's name, shown in the event log.</param>
/// <param name="Role">What it may do.</param>
/// <param name="Hash">SHA-256 of the token value; the value itself is not kept.</param>
public sealed record ApiToken(string Name, ApiRole Role, byte[] Hash);
