using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps the append-only tables: <c>events</c> and <c>runner_history</c>.</summary>
internal static class LogRows
{
    public static Dictionary<string, object?> ToRow(NewEvent e) => new()
    {
        ["at"] = StoreTime.ToStored(e.At),
        ["actor"] = e.Actor,
        ["kind"] = e.Kind,
        ["subject"] = e.Subject,
        ["message"] = e.Message,
        ["data_json"] = e.DataJson,
    };

    public static StoredEvent EventFromRow(RowReader row) => new(
        row.Long("id"),
        row.Time("at"),
        row.Text("actor"),
        row.Text("kind"),
        row.Text("subject"),
        row.Text("message"),
        row.TextOrNull("data_json"));

    public static Dictionary<string, object?> ToRow(RunnerTransition t) => new()
    {
        ["runner_id"] = t.RunnerId,
        ["at"] = StoreTime.ToStored(t.At),
        ["from_state"] = t.From is { } from ? EnumText.ToText(from) : null,
        ["to_state"] = EnumText.ToText(t.To),
        ["reason"] = t.Reason,
    };

    public static RunnerTransition TransitionFromRow(RowReader row) => new(
        row.Text("runner_id"),
        row.Time("at"),
        row.TextOrNull("from_state") is { } from ? EnumText.Parse<RunnerState>(from) : null,
        EnumText.Parse<RunnerState>(row.Text("to_state")),
        row.Text("reason"));
}
