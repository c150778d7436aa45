namespace Drover.Core.Config;

/// <summary>Binds a <c>budget:</c> section of a pool or a team.</summary>
internal static class BudgetBinder
{
    public static BudgetConfig Bind(MappingReader reader)
    {
        var defaults = new BudgetConfig { Limit = 0 };
        var notify = reader.Mapping("notify", ConfigVocabulary.NotifyKeys);
        return new BudgetConfig
        {
            Limit = reader.Decimal("limit", required: true) ?? 0,
            Period = reader.Enum("period", ConfigVocabulary.BudgetPeriods) ?? defaults.Period,
            TimeZone = reader.String("timezone") ?? defaults.TimeZone,
            Currency = reader.String("currency") ?? defaults.Currency,
            Thresholds = Thresholds(reader) ?? defaults.Thresholds,
            Action = reader.Enum("action", ConfigVocabulary.BudgetActions) ?? defaults.Action,
            Notify = notify is null ? null : Notify(notify),
        };
    }

    private static BudgetNotify? Notify(MappingReader reader)
    {
        var url = reader.Secret("url");
        if (url is null)
        {
            if (!reader.Has("url"))
            {
                reader.ReportMissing("url");
            }

            return null;
        }

        return new BudgetNotify { Url = url, Format = reader.Enum("format", ConfigVocabulary.NotifyFormats) ?? NotifyFormat.Json };
    }

    /// <summary><c>thresholds:</c>, shares of the limit in (0, 1]; null when absent or wrong (each problem reported).</summary>
    private static List<decimal>? Thresholds(MappingReader reader)
    {
        if (!reader.Has("thresholds"))
        {
            return null;
        }

        var items = reader.Sequence("thresholds");
        if (items.Count == 0)
        {
            reader.Errors.Add(reader.Get("thresholds")!, reader.PathOf("thresholds"), "expected a non-empty list of shares of the limit, e.g. [0.5, 0.8]");
            return null;
        }

        var thresholds = new List<decimal>();
        foreach (var (node, path) in items)
        {
            if (node is ConfigScalar { IsPlain: true } scalar
                && decimal.TryParse(scalar.Value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value)
                && value > 0 && value <= 1)
            {
                thresholds.Add(value);
            }
            else
            {
                reader.Errors.Add(node, path, "a threshold is a share of the limit above 0 and at most 1, e.g. 0.8");
            }
        }

        return thresholds;
    }
}
