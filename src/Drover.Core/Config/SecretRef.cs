namespace Drover.Core.Config;

/// <summary>Where a secret lives. Only the reference is ever held in config, logged or printed.</summary>
public enum SecretSource
{
    Env,
    File,
}

/// <summary>
/// A reference to a secret: <c>env:NAME</c> or <c>file:/path</c>. The value itself is resolved by the
/// adapter that needs it, at the moment it needs it, and never stored in configuration objects.
/// </summary>
public sealed record SecretRef(SecretSource Source, string Location)
{
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

        if (text.StartsWith("file:", StringComparison.Ordinal) && text.Length > 5)
        {
            reference = new SecretRef(SecretSource.File, text[5..]);
            return true;
        }

        return false;
    }

    public override string ToString() => Source == SecretSource.Env ? $"env:{Location}" : $"file:{Location}";
}
