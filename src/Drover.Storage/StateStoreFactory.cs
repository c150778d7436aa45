using Drover.Core.Ports;

namespace Drover.Storage;

/// <summary>
/// Opens a store from one setting: <c>sqlite:PATH</c>, <c>postgres:CONNECTION-STRING</c>, an Npgsql
/// connection string (it names a <c>Host=</c>), or a plain file path (SQLite).
/// </summary>
public static class StateStoreFactory
{
    /// <summary>Opens the store <paramref name="location"/> names and applies pending migrations.</summary>
    /// <exception cref="StateStoreException">The location is empty, or the store's schema is newer than this code.</exception>
    public static async Task<IStateStore> OpenAsync(string location, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new StateStoreException("no state store given: use sqlite:PATH or postgres:Host=...;Database=...");
        }

        var (kind, target) = Parse(location.Trim());
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new StateStoreException($"the {kind} state store location is empty");
        }

        return kind == "postgres"
            ? await PostgresStateStore.OpenAsync(target, cancellationToken).ConfigureAwait(false)
            : await SqliteStateStore.OpenAsync(target, cancellationToken).ConfigureAwait(false);
    }

    private static (string Kind, string Target) Parse(string location)
    {
        foreach (var prefix in new[] { "postgres:", "postgresql:" })
        {
            if (location.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return ("postgres", location[prefix.Length..]);
            }
        }

        if (location.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return ("sqlite", location["sqlite:".Length..]);
        }

        var looksLikeNpgsql = location.Contains('=', StringComparison.Ordinal) &&
            (location.Contains("Host=", StringComparison.OrdinalIgnoreCase) || location.Contains("Server=", StringComparison.OrdinalIgnoreCase));
        return looksLikeNpgsql ? ("postgres", location) : ("sqlite", location);
    }
}
