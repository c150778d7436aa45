namespace Drover.Storage;

/// <summary>How <see cref="RelationalStateStore"/> wraps a unit of work.</summary>
internal enum TransactionKind
{
    /// <summary>A single statement or independent reads: no explicit transaction.</summary>
    None,

    /// <summary>Reads and writes that commit together; excludes other writers where the dialect needs it.</summary>
    Write,

    /// <summary>Several reads that must see one consistent state (planning, export).</summary>
    Snapshot,
}
