namespace Drover.Core.Cost;

/// <summary>How a provider rounds a runner's billed time (<c>price.billing</c>).</summary>
public enum BillingGranularity
{
    /// <summary>Every second, with an optional minimum per runner (<c>per-second</c>, the default).</summary>
    PerSecond,

    /// <summary>Each started minute (<c>per-minute</c>).</summary>
    PerMinute,

    /// <summary>Each started hour (<c>per-hour</c>).</summary>
    PerHour,
}
