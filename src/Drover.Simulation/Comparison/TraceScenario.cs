using System.Globalization;
using Drover.Core.Config;
using Drover.Core.Traces;
using Drover.Simulation.Engine;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Comparison;

/// <summary>
/// Turns a trace into a scenario: one GitHub pool per distinct label set, so every job has a pool that matches it
/// exactly. Pools with fewer labels get higher priority, so a job goes to the pool of its own label set and never to a
/// larger one that merely contains its labels.
/// </summary>
public static class TraceScenario
{
    /// <summary>What a simulated on-demand runner-hour costs unless told otherwise: GitHub's hosted 2-vCPU Linux rate.</summary>
    public const decimal DefaultPricePerHour = 0.48m;

    /// <summary>What a simulated spot runner-hour costs unless told otherwise.</summary>
    public const decimal DefaultSpotPricePerHour = 0.144m;

    /// <summary>The simulated provider's price unless told otherwise: the defaults above in USD, billed per second.</summary>
    public static Core.Cost.PriceConfig DefaultPrice { get; } = new()
    {
        Currency = Core.Cost.PriceConfig.DefaultCurrency,
        OnDemand = new Core.Cost.RateCard { PerHour = DefaultPricePerHour },
        Spot = new Core.Cost.RateCard { PerHour = DefaultSpotPricePerHour },
        Billing = Core.Cost.BillingGranularity.PerSecond,
    };

    /// <param name="trace">The trace.</param>
    /// <param name="maxPerPool">Each pool's <c>max</c>.</param>
    /// <param name="price">What the simulated provider's runners cost (<c>drover simulate --price-*</c>); free when null.</param>
    public static SimulationScenario From(Trace trace, int maxPerPool = 5_000, Core.Cost.PriceConfig? price = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var sets = trace.LabelSets.Count == 0 ? [LabelSet.Empty] : trace.LabelSets;
        var index = new Dictionary<LabelSet, int>();
        var pools = new List<PoolConfig>(sets.Count);
        for (var i = 0; i < sets.Count; i++)
        {
            index[sets[i]] = i;
            pools.Add(new PoolConfig
            {
                Name = sets.Count == 1 ? "default" : string.Create(CultureInfo.InvariantCulture, $"pool-{i}"),
                Forge = "github",
                Scope = new PoolScope(ScopeKind.Organization, "acme"),
                Labels = sets[i].Labels.Count == 0 ? ["linux"] : sets[i].Labels,
                Provider = "sim",
                Max = maxPerPool,
                Priority = -sets[i].Labels.Count,
            });
        }

        var start = trace.Start ?? DateTimeOffset.UnixEpoch;
        var jobs = new SimulatedJob[trace.Count];
        var span = trace.JobSpan;
        for (var i = 0; i < span.Length; i++)
        {
            var job = span[i];
            jobs[i] = new SimulatedJob((job.QueuedAtUnixMs - start.ToUnixTimeMilliseconds()) / 1000.0, job.DurationSeconds, index[job.Labels]);
        }

        return new SimulationScenario
        {
            Fleet = new FleetConfig
            {
                Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
                Providers = [new ProviderConfig { Name = "sim", Type = "simulated", Price = price }],
                Pools = pools,
            },
            Jobs = jobs,
            LabelSets = pools.Select(p => p.Labels).ToList(),
        };
    }
}
