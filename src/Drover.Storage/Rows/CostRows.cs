using System.Globalization;
using Drover.Core.Ports;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="CostEntry"/>; amounts are exact decimal text (invariant culture), summed in .NET.</summary>
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
    };

    public static string FormatAmount(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    public static decimal ParseAmount(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
