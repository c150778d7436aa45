using Drover.Core.Config;
using Drover.Core.Cost;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

/// <summary><c>providers[].price</c> and <c>pools[].template.price</c>, and what <see cref="PriceBook"/> makes of them.</summary>
public sealed class PriceConfigTests
{
    private static string WithProviderLines(string pool, params string[] lines) =>
        Fleet(pool).Replace("    type: kubernetes\n", "    type: kubernetes\n" + string.Concat(lines.Select(l => $"    {l}\n")), StringComparison.Ordinal);

    [Fact]
    public void Price_ProviderPerResourceAndPoolOverride_ResolvesOnePricePerRunner()
    {
        var result = Load(WithProviderLines(
            Pool(extra: ["template:", "  profile: medium", "  gpu: 1", "  price: { onDemand: { perGpuHour: 1.5 }, billing: per-minute }"]),
            "price:",
            "  currency: EUR",
            "  onDemand: { perVcpuHour: 0.04, perGibHour: 0.005 }",
            "  spot: { perVcpuHour: 0.012 }",
            "  minimum: 1m"));

        AssertValid(result);
        var fleet = result.Config!;
        var price = PriceBook.For(fleet, fleet.Pools[0]);
        // medium: 2 vCPU, 4 GiB; one GPU from the pool's override.
        Assert.Equal((2 * 0.04m) + (4 * 0.005m) + 1.5m, price.PerHour);
        Assert.Equal("EUR", price.Currency);
        Assert.Equal(BillingGranularity.PerMinute, price.Billing);
        Assert.Equal(TimeSpan.FromMinutes(1), price.Minimum);
        var spot = PriceBook.For(fleet, fleet.Pools[0], "k8s", onSpot: true);
        Assert.Equal((2 * 0.012m) + (4 * 0.005m) + 1.5m, spot.PerHour);
    }

    [Fact]
    public void Price_None_IsFree()
    {
        var result = Load(Fleet(Pool()));

        AssertValid(result);
        Assert.True(PriceBook.For(result.Config!, result.Config!.Pools[0]).IsFree);
    }

    [Fact]
    public void Minimum_WithPerHourBilling_IsRefusedAtItsPlace()
    {
        var result = Load(WithProviderLines(Pool(), "price:", "  onDemand: { perHour: 1 }", "  billing: per-hour", "  minimum: 1m"));

        AssertSingleError(result, 14, 16, "providers[0].price.minimum", "per-second billing only");
    }

    [Fact]
    public void Billing_Unknown_IsRefusedWithTheChoices()
    {
        var result = Load(WithProviderLines(Pool(), "price:", "  billing: per-day"));

        var error = AssertSingleError(result, 12, 16, "providers[0].price.billing", "per-day");
        Assert.Contains("per-second", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PerHour_Negative_IsRefusedAtItsPlace()
    {
        var result = Load(WithProviderLines(Pool(), "price:", "  onDemand: { perHour: -1 }"));

        AssertSingleError(result, 12, 28, "providers[0].price.onDemand.perHour", "must not be negative");
    }

    [Fact]
    public void PerVcpuHour_TemplateWithoutCpu_IsRefusedAtTheTemplate()
    {
        var result = Load(WithProviderLines(Pool(extra: ["template: { image: runner }"]), "price:", "  onDemand: { perVcpuHour: 0.04 }"));

        // The pool starts at line 14 (two price lines above); its template is on line 19.
        AssertSingleError(result, 19, 15, "pools[0].template", "per vCPU-hour");
    }

    [Fact]
    public void BudgetCurrency_OtherThanThePrice_IsRefused()
    {
        var result = Load(WithProviderLines(Pool(extra: ["budget: { limit: 100, currency: USD }"]), "price:", "  currency: EUR", "  onDemand: { perHour: 1 }"));

        var error = AssertSingleError(result, 20, 37, "pools[0].budget.currency", "priced in EUR");
        Assert.Contains("USD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Budget_OnAPoolNothingPrices_IsRefusedAsWithoutEffect()
    {
        var result = Load(Fleet(Pool(extra: ["budget: { limit: 100 }"])));

        AssertSingleError(result, 17, 13, "pools[0].budget", "would never be reached");
    }

    [Fact]
    public void TeamBudget_OverPoolsNothingPrices_IsRefusedAsWithoutEffect()
    {
        var result = Load(Fleet(Pool(extra: ["team: web"])) + "teams:\n  - name: web\n    budget: { limit: 100 }\n");

        AssertSingleError(result, 20, 13, "teams[0].budget", "would never be reached");
    }

    [Fact]
    public void Team_WithAQuotaAndNoPools_IsRefusedAsWithoutEffect()
    {
        var result = Load(Fleet(Pool()) + "teams:\n  - name: web\n    quota: { runners: 3 }\n");

        AssertSingleError(result, 18, 5, "teams[0]", "has no pools");
    }

    [Theory]
    [InlineData(BillingGranularity.PerSecond, 0, 61, 61)]
    [InlineData(BillingGranularity.PerSecond, 60, 10, 60)]
    [InlineData(BillingGranularity.PerMinute, 0, 61, 120)]
    [InlineData(BillingGranularity.PerHour, 0, 61, 3600)]
    [InlineData(BillingGranularity.PerHour, 0, 0, 0)]
    public void BilledSeconds_RoundsByGranularity(BillingGranularity billing, int minimumSeconds, int seconds, int billed)
    {
        var price = new RunnerPrice(3.6m, "USD", billing, TimeSpan.FromSeconds(minimumSeconds));

        Assert.Equal(billed, price.BilledSeconds(seconds));
    }

    [Fact]
    public void Charge_IntervalByInterval_AddsUpToTheWhole()
    {
        var price = new RunnerPrice(3.6m, "USD", BillingGranularity.PerMinute, TimeSpan.Zero);
        var steps = new decimal[] { 0, 1.5m, 59.9m, 60, 60.1m, 200, 201 };

        var charged = steps.Zip(steps.Skip(1)).Sum(s => price.Charge(s.First, s.Second));

        Assert.Equal(price.Charge(0, 201), charged);
        Assert.Equal(0.24m, charged);
    }
}
