namespace Drover.Server.Auth;

/// <summary>The SSO issuer cannot be reached or answers with something unusable; the message says which and where (no secrets).</summary>
public sealed class OidcUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OidcUnavailableException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public OidcUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public OidcUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
