using System.Text.RegularExpressions;
using Drover.Core.Adapters;
using Drover.Core.Ports;

namespace Drover.Storage;

/// <summary>
/// Opens a store from one setting: <c>sqlite:PATH</c>, <c>postgres:CONNECTION-STRING</c> (or <c>postgresql:</c>), an
/// Npgsql connection string (it names a <c>Host=</c>), or a plain file path (SQLite). Any other <c>scheme:</c> is refused.
/// Every way Drover opens a store comes through here, so whether a missing store may be created is decided in one place
/// (<see cref="StoreOpenMode"/>).
/// </summary>
public static partial class StateStoreFactory
{
    /// <summary>The forms a location may take, for messages.</summary>
    public const string Forms = "sqlite:PATH or postgres:Host=...;Database=...;Username=...";

    private const string Sqlite = "sqlite";
    private const string Postgres = "postgres";

    /// <summary>Opens the store <paramref name="location"/> names, creating a missing SQLite file, and applies pending migrations.</summary>
    /// <exception cref="AdapterConfigurationException">The location is empty, has an unknown scheme, or names a store that cannot be reached.</exception>
    /// <exception cref="StateStoreException">The store's schema is newer than this code.</exception>
    public static Task<IStateStore> OpenAsync(string location, CancellationToken cancellationToken) =>
        OpenAsync(location, StoreOpenMode.CreateIfMissing, cancellationToken);

    /// <summary>
    /// Opens the store <paramref name="location"/> names and applies pending migrations; <paramref name="mode"/> says
    /// whether a store that is not there may be created. A refused store is left exactly as it was.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">
    /// The location is empty or has an unknown scheme, or the store is missing, unreachable or not a Drover store as
    /// <paramref name="mode"/> requires: one line saying what and where, never a password.
    /// </exception>
    /// <exception cref="StateStoreException">The store's schema is newer than this code.</exception>
    public static async Task<IStateStore> OpenAsync(string location, StoreOpenMode mode, CancellationToken cancellationToken)
    {
        var (kind, target) = Parse(location);
        return kind == Postgres
            ? await PostgresStateStore.OpenAsync(target, mode, cancellationToken).ConfigureAwait(false)
            : await SqliteStateStore.OpenAsync(target, mode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The full path of the SQLite file <paramref name="location"/> names when that file does not exist yet, else null.</summary>
    internal static string? MissingSqliteFile(string location)
    {
        var (kind, target) = Parse(location);
        if (kind != Sqlite)
        {
            return null;
        }

        var full = Path.GetFullPath(target);
        return File.Exists(full) || Directory.Exists(full) ? null : full;
    }

    private static (string Kind, string Target) Parse(string? location)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new AdapterConfigurationException($"no state store given: use {Forms}");
        }

        location = location.Trim();
        var (kind, target) = Split(location);
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new AdapterConfigurationException($"the {kind} state store location is empty: use {Forms}");
        }

        return (kind, target);
    }

    private static (string Kind, string Target) Split(string location)
    {
        foreach (var (prefix, kind) in new[] { ("postgres:", Postgres), ("postgresql:", Postgres), ("sqlite:", Sqlite) })
        {
            if (location.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return (kind, location[prefix.Length..]);
            }
        }

        var looksLikeNpgsql = location.Contains('=', StringComparison.Ordinal) &&
            (location.Contains("Host=", StringComparison.OrdinalIgnoreCase) || location.Contains("Server=", StringComparison.OrdinalIgnoreCase));
        if (looksLikeNpgsql)
        {
            return (Postgres, location);
        }

        // Only the scheme is repeated: what follows it may hold a password.
        if (Scheme().Match(location) is { Success: true } scheme)
        {
            throw new AdapterConfigurationException(
                $"state store '{scheme.Value}...': unknown scheme '{scheme.Value}'; the schemes are sqlite: and postgres: (or postgresql:), e.g. {Forms}");
        }

        return (Sqlite, location);
    }

    /// <summary>A URI-like scheme of two characters or more (one letter is a Windows drive).</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+:")]
    private static partial Regex Scheme();
}
