using Drover.Core.Ports;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="AdminRequest"/> to and from <c>admin_requests</c>.</summary>
internal static class AdminRequestRows
{
    public static Dictionary<string, object?> ToRow(AdminRequest r) => new()
    {
        ["kind"] = EnumText.ToText(r.Kind),
        ["target"] = r.Target,
        ["actor"] = r.Actor,
        ["requested_at"] = StoreTime.ToStored(r.RequestedAt),
        ["reason"] = r.Reason,
    };

    public static AdminRequest FromRow(RowReader row) => new(
        EnumText.Parse<AdminRequestKind>(row.Text("kind")),
        row.Text("target"),
        row.Text("actor"),
        row.Time("requested_at"),
        row.Text("reason"));
}
