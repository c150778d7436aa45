namespace Drover.Core.Adapters;

/// <summary>
/// An opaque runner registration secret. <see cref="ToString"/> never shows the value, so the credential
/// cannot leak through logging, string formatting or a debugger display by accident.
/// </summary>
public sealed class RunnerCredential
{
    private readonly string _value;

    /// <param name="kind">What the secret is, e.g. <c>jit-config</c> or <c>runner-token</c> (not secret).</param>
    /// <param name="value">The secret itself.</param>
    public RunnerCredential(string kind, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(value);
        Kind = kind;
        _value = value;
    }

    /// <summary>What the secret is; safe to log.</summary>
    public string Kind { get; }

    /// <summary>The secret value, for the one component that hands it to the runner.</summary>
    public string Reveal() => _value;

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} (redacted)";
}
