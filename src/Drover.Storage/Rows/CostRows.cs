using System.Globalization;
using Drover.Core.Cost;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="CostEntry"/> and <see cref="RunnerCostMark"/>; amounts are exact decimal text (invariant culture), summed in .NET.</summary>
internal static class CostRows
{
    public static Dictionary<string, object?> ToRow(CostEntry entry) => new()
    {
        ["pool"] = entry.Pool,
        ["team"] = entry.Team,
        ["provider"] = entry.Provider,
        ["from_at"] = StoreTime.ToStored(entry.From),
        ["to_at"] = StoreTime.ToStored(entry.To),
        ["runner_seconds"] = entry.RunnerSeconds,
        ["amount"] = FormatAmount(entry.Amount),
        ["currency"] = entry.Currency,
        ["kind"] = entry.Kind is { } kind ? EnumText.ToText(kind) : null,
        ["runner_id"] = entry.RunnerId,
        ["job_forge"] = entry.Job?.Forge,
        ["job_id"] = entry.Job?.Id,
        ["scope"] = entry.Scope,
    };

    public static CostEntry FromRow(RowReader row) => new()
    {
        Id = row.Long("id"),
        Pool = row.Text("pool"),
        Team = row.TextOrNull("team"),
        Provider = row.Text("provider"),
        From = row.Time("from_at"),
        To = row.Time("to_at"),
        RunnerSeconds = row.Real("runner_seconds"),
        Amount = ParseAmount(row.Text("amount")),
        Currency = row.Text("currency"),
        Kind = row.TextOrNull("kind") is { } kind ? EnumText.Parse<CostKind>(kind) : null,
        RunnerId = row.TextOrNull("runner_id"),
        Job = row.TextOrNull("job_forge") is { } forge && row.TextOrNull("job_id") is { } id ? new JobKey(forge, id) : null,
        Scope = row.TextOrNull("scope"),
    };

    public static Dictionary<string, object?> ToRow(RunnerCostMark mark) => new()
    {
        ["runner_id"] = mark.RunnerId,
        ["costed_until"] = StoreTime.ToStored(mark.CostedUntil),
        ["billed_seconds"] = FormatAmount(mark.BilledSeconds),
    };

    public static string FormatAmount(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    public static decimal ParseAmount(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
