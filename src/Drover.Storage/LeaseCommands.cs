using Drover.Storage.Sql;

namespace Drover.Storage;

/// <summary>
/// The leader lease as one row per name, changed by single atomic statements: an insert that, on
/// conflict, takes the row over only when the caller already holds it or it has expired.
/// </summary>
internal static class LeaseCommands
{
    private const string AcquireSql =
        "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (@name, @holder, @now, @expires) " +
        "ON CONFLICT (name) DO UPDATE SET " +
        "holder = excluded.holder, " +
        "acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END, " +
        "expires_at = excluded.expires_at " +
        "WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.acquired_at";

    public static async Task<bool> TryAcquireOrRenewAsync(DbSession session, string name, string holder, TimeSpan ttl, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var changed = await session.ExecuteAsync(AcquireSql, new
        {
            name,
            holder,
            now = StoreTime.ToStored(now),
            expires = StoreTime.ToStored(now + ttl),
        }).ConfigureAwait(false);
        return changed == 1;
    }

    public static async Task<bool> ReleaseAsync(DbSession session, string name, string holder) =>
        await session.ExecuteAsync("DELETE FROM leases WHERE name = @name AND holder = @holder", new { name, holder }).ConfigureAwait(false) == 1;
}
