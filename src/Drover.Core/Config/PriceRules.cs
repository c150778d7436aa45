using System.Text.RegularExpressions;
using Drover.Core.Cost;

namespace Drover.Core.Config;

/// <summary>Rules for <c>price:</c> sections and for what a pool's runners cost (see docs/cost.md).</summary>
internal static partial class PriceRules
{
    /// <summary>A <c>price:</c> section on its own: currency code, and a minimum only where it applies.</summary>
    public static void CheckSection(ValidationContext context, string path, PriceConfig? price)
    {
        if (price is null)
        {
            return;
        }

        if (price.Currency is { } currency && !IsCurrency(currency))
        {
            context.Report($"{path}.currency", $"'{currency}' is not a currency code; write three capital letters such as USD or EUR");
        }

        if (price.Minimum is { } minimum)
        {
            if (minimum < TimeSpan.Zero)
            {
                context.Report($"{path}.minimum", "must not be negative");
            }
            else if (price.Billing is BillingGranularity.PerMinute or BillingGranularity.PerHour)
            {
                context.Report($"{path}.minimum", "a minimum applies to per-second billing only; per-minute and per-hour billing round up each started unit");
            }
        }
    }

    /// <summary>
    /// What a pool's runners cost on each of its providers: the resources a rate needs are set in the template, every
    /// provider of the pool bills in one currency, and the pool's budget counts in that currency.
    /// </summary>
    public static void CheckPool(ValidationContext context, string path, PoolConfig pool)
    {
        CheckSection(context, $"{path}.template.price", pool.Template.Price);
        var resources = InstanceResources.Of(pool.Template);
        var currencies = new SortedSet<string>(StringComparer.Ordinal);
        var priced = false;
        foreach (var placement in pool.Placement)
        {
            if (context.Config.FindProvider(placement.Name) is null)
            {
                continue;
            }

            var price = PriceBook.ConfiguredPrice(context.Config, pool, placement.Name);
            if (price is null)
            {
                continue;
            }

            var rates = (price.OnDemand ?? new RateCard()).Merge(pool.Template.Spot == SpotPreference.Require ? price.Spot : null);
            if (rates.PerVcpuHour is > 0 && resources.Vcpu is null)
            {
                context.Report($"{path}.template", $"provider '{placement.Name}' prices runners per vCPU-hour, but the template sets no cpu or profile; set one, or price the pool per hour (template.price.onDemand.perHour)");
            }

            if (rates.PerGibHour is > 0 && resources.MemoryGib is null)
            {
                context.Report($"{path}.template", $"provider '{placement.Name}' prices runners per GiB-hour, but the template sets no memory or profile; set one, or price the pool per hour (template.price.onDemand.perHour)");
            }

            var resolved = PriceBook.Resolve(price, pool.Template);
            priced |= !resolved.IsFree;
            currencies.Add(resolved.Currency);
        }

        if (!priced && pool.Budget is not null && pool.Placement.All(p => context.Config.FindProvider(p.Name) is not null))
        {
            context.Report($"{path}.budget", $"the pool's runners cost nothing (no price on provider {string.Join(", ", pool.Placement.Select(p => $"'{p.Name}'"))} or in template.price), so this budget would never be reached; price them (providers[].price or template.price) or remove the budget");
        }

        if (currencies.Count > 1)
        {
            context.Report(pool.Template.Price is null ? path : $"{path}.template.price.currency", $"the pool's providers bill in different currencies ({string.Join(", ", currencies)}); a pool's cost and budget count in one");
        }
        else if (priced && pool.Budget is { } budget && currencies.Count == 1 && IsCurrency(budget.Currency) && currencies.Min != budget.Currency)
        {
            context.Report($"{path}.budget.currency", $"the budget counts {budget.Currency} but the pool's runners are priced in {currencies.Min}");
        }
    }

    public static bool IsCurrency(string code) => Currency().IsMatch(code);

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Currency();
}
