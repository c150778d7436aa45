namespace Drover.Storage.Schema;

/// <summary>The storage class of a column, the same in every dialect.</summary>
internal enum ColumnKind
{
    Text,
    Integer,
    Real,
    Blob,
}
