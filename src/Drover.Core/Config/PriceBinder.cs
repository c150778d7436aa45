using Drover.Core.Cost;

namespace Drover.Core.Config;

/// <summary>Binds a <c>price:</c> section (on a provider or a pool's template); null when absent.</summary>
internal static class PriceBinder
{
    public static PriceConfig? Bind(MappingReader owner)
    {
        var reader = owner.Mapping("price", ConfigVocabulary.PriceKeys);
        if (reader is null)
        {
            return null;
        }

        return new PriceConfig
        {
            Currency = reader.String("currency"),
            OnDemand = Rates(reader, "onDemand"),
            Spot = Rates(reader, "spot"),
            Billing = reader.Enum("billing", ConfigVocabulary.Billings),
            Minimum = reader.Duration("minimum"),
        };
    }

    private static RateCard? Rates(MappingReader price, string key)
    {
        var reader = price.Mapping(key, ConfigVocabulary.RateKeys);
        if (reader is null)
        {
            return null;
        }

        return new RateCard
        {
            PerHour = NonNegative(reader, "perHour"),
            PerVcpuHour = NonNegative(reader, "perVcpuHour"),
            PerGibHour = NonNegative(reader, "perGibHour"),
            PerGpuHour = NonNegative(reader, "perGpuHour"),
        };
    }

    private static decimal? NonNegative(MappingReader reader, string key)
    {
        var value = reader.Decimal(key);
        if (value < 0)
        {
            reader.Errors.Add(reader.Get(key)!, reader.PathOf(key), $"a price must not be negative, got {value}");
            return null;
        }

        return value;
    }
}
