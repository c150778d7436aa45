namespace Drover.Core.Config;

/// <summary>Where a secret lives. Only the reference is ever held in config, logged or printed.</summary>
public enum SecretSource
{
    Env,
    File,
}

/// <summary>
/// A reference to a secret: <c>env:NAME</c> or <c>file:/path</c>. The value itself is resolved by the
/// adapter that needs it, at the moment it needs it, and never stored in configuration objects. A <c>file:</c>
/// path must be absolute: a relative one would depend on the directory Drover happens to be started from.
/// </summary>
public sealed record SecretRef(SecretSource Source, string Location)
{
    /// <summary>What a secret field accepts, for error messages.</summary>
    public const string Forms = "env:NAME or file:/absolute/path";

    /// <summary>Parses <c>env:NAME</c> (letters, digits, <c>_</c>) or <c>file:</c> followed by an absolute path.</summary>
    public static bool TryParse(string? text, out SecretRef? reference)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.StartsWith("env:", StringComparison.Ordinal) && text.Length > 4)
        {
            var name = text[4..];
            if (name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                reference = new SecretRef(SecretSource.Env, name);
                return true;
            }

            return false;
        }

        if (text.StartsWith("file:", StringComparison.Ordinal) && text.Length > 5 && Path.IsPathFullyQualified(text.AsSpan(5)))
        {
            reference = new SecretRef(SecretSource.File, text[5..]);
            return true;
        }

        return false;
    }

    /// <summary>True for <c>file:</c> followed by a path that is not absolute (refused by <see cref="TryParse"/>).</summary>
    public static bool IsRelativeFile(string? text) =>
        text is not null && text.StartsWith("file:", StringComparison.Ordinal) && !Path.IsPathFullyQualified(text.AsSpan(5));

    public override string ToString() => Source == SecretSource.Env ? $"env:{Location}" : $"file:{Location}";
}
