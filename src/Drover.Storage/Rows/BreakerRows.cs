using Drover.Core.Resilience;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="CircuitBreakerState"/> to and from the <c>breakers</c> table.</summary>
internal static class BreakerRows
{
    public static Dictionary<string, object?> ToRow(string provider, CircuitBreakerState state) => new()
    {
        ["provider"] = provider,
        ["status"] = EnumText.ToText(state.Status),
        ["consecutive_failures"] = (long)state.ConsecutiveFailures,
        ["opened_at"] = StoreTime.ToStored(state.OpenedAt),
        ["half_open_successes"] = (long)state.HalfOpenSuccesses,
    };

    public static CircuitBreakerState FromRow(RowReader row) => new()
    {
        Status = EnumText.Parse<BreakerStatus>(row.Text("status")),
        ConsecutiveFailures = row.Int("consecutive_failures"),
        OpenedAt = row.TimeOrNull("opened_at"),
        HalfOpenSuccesses = row.Int("half_open_successes"),
    };
}
