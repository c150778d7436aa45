namespace Drover.Core.Cost;

/// <summary>
/// Hourly rates of one kind of capacity (on-demand or spot). A runner's hourly price is <see cref="PerHour"/> plus each
/// resource rate times what its pool's template asks for (vCPUs, GiB of memory, GPUs). Null: not set here (a pool's
/// <c>template.price</c> then keeps the provider's rate).
/// </summary>
public sealed record RateCard
{
    /// <summary>A flat price per runner-hour (an instance type, a machine).</summary>
    public decimal? PerHour { get; init; }

    /// <summary>Price per vCPU-hour of the template's CPU (<c>cpu</c> or <c>profile</c>).</summary>
    public decimal? PerVcpuHour { get; init; }

    /// <summary>Price per GiB-hour of the template's memory (<c>memory</c> or <c>profile</c>).</summary>
    public decimal? PerGibHour { get; init; }

    /// <summary>Price per GPU-hour of the template's <c>gpu</c> count.</summary>
    public decimal? PerGpuHour { get; init; }

    /// <summary>True when a rate needs the template's resources (vCPU or GiB).</summary>
    public bool NeedsResources => PerVcpuHour is > 0 || PerGibHour is > 0;

    /// <summary>This card with every rate set in <paramref name="over"/> replaced by it.</summary>
    public RateCard Merge(RateCard? over) => over is null ? this : new RateCard
    {
        PerHour = over.PerHour ?? PerHour,
        PerVcpuHour = over.PerVcpuHour ?? PerVcpuHour,
        PerGibHour = over.PerGibHour ?? PerGibHour,
        PerGpuHour = over.PerGpuHour ?? PerGpuHour,
    };
}
