using Drover.Core.Config;

namespace Drover.Core.Adapters;

/// <summary>
/// Resolves a <see cref="SecretRef"/> to its value at the moment it is needed: <c>env:NAME</c> from the environment,
/// <c>file:/path</c> from the file (one trailing line break dropped). Errors name the reference and what it is for,
/// never the value.
/// </summary>
public sealed class SecretResolver
{
    private readonly Func<string, string?> _environment;

    /// <param name="environment">Reads an environment variable; the process environment when null.</param>
    public SecretResolver(Func<string, string?>? environment = null)
    {
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>The secret's value.</summary>
    /// <param name="reference">Where the secret lives.</param>
    /// <param name="what">What the secret is for, e.g. <c>forges[github].webhookSecret</c>; used in errors.</param>
    /// <exception cref="InvalidOperationException">The variable is unset or empty, or the file cannot be read or is empty.</exception>
    public string Resolve(SecretRef reference, string what)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string? value;
        if (reference.Source == SecretSource.Env)
        {
            value = _environment(reference.Location);
            if (string.IsNullOrEmpty(value))
            {
                throw new InvalidOperationException($"{what}: environment variable {reference.Location} is not set or empty");
            }

            return value;
        }

        try
        {
            value = File.ReadAllText(reference.Location);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{what}: cannot read file {reference.Location}: {e.GetType().Name}", e);
        }

        value = value.EndsWith("\r\n", StringComparison.Ordinal) ? value[..^2] : value.EndsWith('\n') ? value[..^1] : value;
        if (value.Length == 0)
        {
            throw new InvalidOperationException($"{what}: file {reference.Location} is empty");
        }

        return value;
    }
}
