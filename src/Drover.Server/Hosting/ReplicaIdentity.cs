using System.Security.Cryptography;
using Drover.Core.Adapters;

namespace Drover.Server.Hosting;

/// <summary>
/// This replica's id in the leader lease, and the lock that makes it this process's alone on its data directory. The
/// id is, in order: the one given (<c>--replica-id</c>), the pod name (<c>POD_NAME</c>, Kubernetes), or the one kept in
/// <c>{dataDirectory}/replica-id</c> (made once, host name and a random suffix), so a restarted replica comes back under
/// the same id and takes its own lease back at once instead of waiting for it to run out. The lock is
/// <c>{dataDirectory}/replica-ID.lock</c>, held exclusively while the replica runs (the kernel drops it when the
/// process dies, kill -9 included): a second process with the same id on the same data directory is refused.
/// </summary>
public sealed class ReplicaIdentity : IDisposable
{
    /// <summary>The file, in the data directory, that keeps the default replica id.</summary>
    public const string IdFileName = "replica-id";

    /// <summary>The environment variable Kubernetes deployments set to the pod name (downward API).</summary>
    public const string PodNameVariable = "POD_NAME";

    private readonly FileStream _lock;

    private ReplicaIdentity(string id, string dataDirectory, FileStream held)
    {
        Id = id;
        DataDirectory = dataDirectory;
        _lock = held;
    }

    /// <summary>The replica id.</summary>
    public string Id { get; }

    /// <summary>The data directory the id and lock belong to.</summary>
    public string DataDirectory { get; }

    /// <summary>
    /// Works out the id and takes the lock.
    /// </summary>
    /// <param name="dataDirectory">Drover's data directory (created when missing).</param>
    /// <param name="explicitId">The id given on the command line, or null for the default.</param>
    /// <param name="environment">Reads an environment variable (for <c>POD_NAME</c>).</param>
    /// <exception cref="AdapterConfigurationException">
    /// Another live process holds the same id on this data directory, or the directory cannot be written; the message
    /// says which and what to do (exit 2 from <c>drover serve</c>).
    /// </exception>
    public static ReplicaIdentity Acquire(string dataDirectory, string? explicitId, Func<string, string?> environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(environment);
        var directory = Path.GetFullPath(dataDirectory);
        try
        {
            Directory.CreateDirectory(directory);
            var id = explicitId is { Length: > 0 } given ? given
                : environment(PodNameVariable) is { Length: > 0 } pod ? pod
                : StoredId(directory);
            if (id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || id.Length > 200)
            {
                throw new AdapterConfigurationException($"replica id '{id}' may hold only letters, digits, '-', '_' and '.' (at most 200)");
            }

            var lockPath = Path.Combine(directory, $"replica-{id}.lock");
            try
            {
                // FileShare.None is an exclusive flock on Unix: held until this process closes it or dies.
                var held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new ReplicaIdentity(id, directory, held);
            }
            catch (IOException)
            {
                throw new AdapterConfigurationException(
                    $"another drover serve runs as replica '{id}' on the data directory {directory} (it holds {lockPath}); stop it, or give this one its own id with --replica-id");
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AdapterConfigurationException($"the data directory {directory} cannot be written: {e.Message}");
        }
    }

    /// <summary>
    /// Drover's data directory for a store location: the folder of a SQLite file, <c>.drover</c> under the working
    /// directory otherwise (PostgreSQL).
    /// </summary>
    public static string DataDirectoryOf(string storeLocation)
    {
        ArgumentNullException.ThrowIfNull(storeLocation);
        const string sqlite = "sqlite:";
        if (storeLocation.StartsWith(sqlite, StringComparison.OrdinalIgnoreCase))
        {
            var file = Path.GetFullPath(storeLocation[sqlite.Length..]);
            return Path.GetDirectoryName(file) ?? Path.GetFullPath(".drover");
        }

        return Path.GetFullPath(".drover");
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();

    private static string StoredId(string directory)
    {
        var path = Path.Combine(directory, IdFileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } stored)
        {
            return stored;
        }

        var made = $"{Sanitize(Environment.MachineName)}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        var temporary = path + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)) + ".tmp";
        File.WriteAllText(temporary, made + "\n");
        try
        {
            // Not over an existing file: of two replicas starting at once, the first id written wins for both.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temporary);
        }

        return File.ReadAllText(path).Trim();
    }

    private static string Sanitize(string name)
    {
        var clean = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        return clean.Length == 0 ? "drover" : clean;
    }
}
