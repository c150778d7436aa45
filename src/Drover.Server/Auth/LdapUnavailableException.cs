namespace Drover.Server.Auth;

/// <summary>
/// The LDAP directory cannot be asked for a user's groups (unreachable, timed out, the bind refused); the message says
/// which directory and why, never a password. Nobody gets a role from the directory meanwhile (fail closed).
/// </summary>
public sealed class LdapUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LdapUnavailableException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public LdapUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public LdapUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
