namespace Drover.Core.Cost;

/// <summary>
/// A <c>price:</c> section, on a provider (what its runners cost) or on a pool's template (overriding the provider's
/// price field by field). Every field is optional; null means "not set here". See docs/cost.md.
/// </summary>
public sealed record PriceConfig
{
    /// <summary>The default currency when none is set.</summary>
    public const string DefaultCurrency = "USD";

    /// <summary>ISO 4217 code of every amount of this price (<c>currency</c>).</summary>
    public string? Currency { get; init; }

    /// <summary>On-demand rates (<c>onDemand</c>).</summary>
    public RateCard? OnDemand { get; init; }

    /// <summary>Spot rates (<c>spot</c>), for pools whose template requires spot; the on-demand rates when not set.</summary>
    public RateCard? Spot { get; init; }

    /// <summary>How billed time is rounded (<c>billing</c>).</summary>
    public BillingGranularity? Billing { get; init; }

    /// <summary>The least time billed per runner under <see cref="BillingGranularity.PerSecond"/> (<c>minimum</c>).</summary>
    public TimeSpan? Minimum { get; init; }

    /// <summary>This price with every field set in <paramref name="over"/> replacing its own (rates field by field).</summary>
    public PriceConfig Merge(PriceConfig? over) => over is null ? this : new PriceConfig
    {
        Currency = over.Currency ?? Currency,
        OnDemand = (OnDemand ?? new RateCard()).Merge(over.OnDemand),
        Spot = Spot is null && over.Spot is null ? null : (Spot ?? OnDemand ?? new RateCard()).Merge(over.Spot),
        Billing = over.Billing ?? Billing,
        Minimum = over.Minimum ?? Minimum,
    };
}
