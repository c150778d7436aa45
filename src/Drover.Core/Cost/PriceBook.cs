using Drover.Core.Config;

namespace Drover.Core.Cost;

/// <summary>
/// The one place prices are read from the fleet file: a provider's <c>price:</c>, overridden field by field by the
/// pool's <c>template.price</c>, applied to the template's resources. A runner nothing prices is free (documented in
/// docs/cost.md). The planner (budgets), the live cost ledger and <c>drover simulate</c> all price runners here.
/// </summary>
public static class PriceBook
{
    /// <summary>The price configured for runners of <paramref name="pool"/> on provider <paramref name="provider"/>, before resources.</summary>
    public static PriceConfig? ConfiguredPrice(FleetConfig fleet, PoolConfig pool, string provider)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(pool);
        var own = fleet.FindProvider(provider)?.Price;
        var over = pool.Template.Price;
        return own is null ? over : own.Merge(over);
    }

    /// <summary>What one runner of <paramref name="pool"/> on <paramref name="provider"/> costs.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="pool">The runner's pool.</param>
    /// <param name="provider">The provider the runner is on.</param>
    /// <param name="onSpot">Whether the runner is on spot capacity; null: when the template requires spot (all Drover knows of a live runner).</param>
    public static RunnerPrice For(FleetConfig fleet, PoolConfig pool, string provider, bool? onSpot = null) =>
        Resolve(ConfiguredPrice(fleet, pool, provider), pool.Template, onSpot);

    /// <summary>What one runner of <paramref name="pool"/> costs on its first provider (what a pool "costs" when it is one number).</summary>
    public static RunnerPrice For(FleetConfig fleet, PoolConfig pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return For(fleet, pool, pool.Provider);
    }

    /// <summary>The currency of <paramref name="pool"/>'s runners on its first provider.</summary>
    public static string CurrencyOf(FleetConfig fleet, PoolConfig pool) => For(fleet, pool).Currency;

    /// <summary>
    /// A price applied to a template: the spot rates for a runner on spot (by default: when the template requires spot),
    /// else on-demand.
    /// </summary>
    public static RunnerPrice Resolve(PriceConfig? price, InstanceTemplate template, bool? onSpot = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (price is null)
        {
            return RunnerPrice.Free;
        }

        var onDemand = price.OnDemand ?? new RateCard();
        var card = (onSpot ?? template.Spot == SpotPreference.Require) && price.Spot is { } spot ? onDemand.Merge(spot) : onDemand;
        var resources = InstanceResources.Of(template);
        var perHour = (card.PerHour ?? 0m)
            + ((card.PerVcpuHour ?? 0m) * (resources.Vcpu ?? 0m))
            + ((card.PerGibHour ?? 0m) * (resources.MemoryGib ?? 0m))
            + ((card.PerGpuHour ?? 0m) * resources.Gpu);
        return new RunnerPrice(perHour, price.Currency ?? PriceConfig.DefaultCurrency, price.Billing ?? BillingGranularity.PerSecond, price.Minimum ?? TimeSpan.Zero);
    }
}
