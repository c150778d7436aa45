namespace Drover.Storage.Sql;

/// <summary>Times are stored as UTC microseconds since the Unix epoch (PostgreSQL's own resolution) in both dialects.</summary>
internal static class StoreTime
{
    public static long ToStored(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static long? ToStored(DateTimeOffset? value) => value is { } v ? ToStored(v) : null;

    public static DateTimeOffset FromStored(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * 10), TimeSpan.Zero);

    public static DateTimeOffset? FromStored(long? micros) => micros is { } m ? FromStored(m) : null;
}
