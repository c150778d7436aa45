namespace Drover.Core.Config;

/// <summary>
/// A team (<c>teams:</c>): the pools whose cost and runners are its own, an optional budget over all of them and
/// optional quotas of concurrent runners, vCPUs and GPUs enforced across all of them.
/// </summary>
public sealed record TeamConfig
{
    public required string Name { get; init; }

    /// <summary>The team's pools by name (<c>pools:</c>), besides those whose <c>team:</c> names the team.</summary>
    public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>A budget over the spend of all the team's pools.</summary>
    public BudgetConfig? Budget { get; init; }

    /// <summary>At most this many booting, idle and busy runners across the team's pools (<c>quota.runners</c>).</summary>
    public int? MaxRunners { get; init; }

    /// <summary>At most this many vCPUs of such runners, as their templates ask (<c>quota.vcpus</c>).</summary>
    public decimal? MaxVcpus { get; init; }

    /// <summary>At most this many GPUs of such runners (<c>quota.gpus</c>).</summary>
    public int? MaxGpus { get; init; }

    /// <summary>
    /// The team's weight (<c>weight</c>, at least 1; null: not set, counted as 1) in the fair share of a capacity its pools
    /// share with other teams' pools (a provider's <c>maxRunners</c>).
    /// </summary>
    public int? Weight { get; init; }

    /// <summary>The weight the fair share counts: <see cref="Weight"/>, 1 when not set.</summary>
    public int ShareWeight => Math.Max(1, Weight ?? 1);

    /// <summary>True when a quota is set.</summary>
    public bool HasQuota => MaxRunners is not null || MaxVcpus is not null || MaxGpus is not null;
}
