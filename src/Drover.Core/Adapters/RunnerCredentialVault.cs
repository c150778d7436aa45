using System.Collections.Concurrent;
using Drover.Core.Adapters;

namespace Drover.Core.Adapters;

/// <summary>
/// Holds minted runner credentials in memory under a reference (<c>vault:RUNNER</c>) so that providers get a
/// reference, not the secret, in their <see cref="InstanceRequest"/>. A credential is removed once taken.
/// </summary>
public sealed class RunnerCredentialVault
{
    private const string Prefix = "vault:";
    private readonly ConcurrentDictionary<string, RunnerCredential> _credentials = new(StringComparer.Ordinal);

    /// <summary>Stores <paramref name="credential"/> for <paramref name="runnerName"/> and returns its reference.</summary>
    public string Put(string runnerName, RunnerCredential credential)
    {
        ArgumentException.ThrowIfNullOrEmpty(runnerName);
        ArgumentNullException.ThrowIfNull(credential);
        _credentials[runnerName] = credential;
        return Prefix + runnerName;
    }

    /// <summary>Takes the credential a reference names out of the vault; null when unknown or already taken.</summary>
    public RunnerCredential? Take(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.StartsWith(Prefix, StringComparison.Ordinal) && _credentials.TryRemove(reference[Prefix.Length..], out var credential)
            ? credential
            : null;
    }

    /// <summary>Forgets the credential of <paramref name="runnerName"/> (its create failed).</summary>
    public void Remove(string runnerName) => _credentials.TryRemove(runnerName, out _);

    /// <summary>How many credentials are waiting to be taken.</summary>
    public int Count => _credentials.Count;
}
