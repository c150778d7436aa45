namespace Drover.Storage;

/// <summary>What <see cref="StateStoreFactory.OpenAsync(string, StoreOpenMode, CancellationToken)"/> does with a store that is not there yet.</summary>
public enum StoreOpenMode
{
    /// <summary>A missing SQLite file (and its folder) is created; an empty database gets Drover's schema. What <c>drover serve</c> does.</summary>
    CreateIfMissing,

    /// <summary>
    /// The store must exist: the SQLite file is there, the PostgreSQL server answers and the database exists. Nothing is
    /// created; an existing empty database gets Drover's schema. What <c>drover restore</c> does without <c>--create</c>.
    /// </summary>
    ExistingOnly,

    /// <summary>
    /// The store must exist and already hold Drover's schema: a file or database Drover never set up is refused before
    /// anything is written to it. What <c>drover backup</c> does.
    /// </summary>
    ExistingWithSchema,
}
