namespace Drover.Core.Config;

/// <summary>How long a runner may stay in each lifecycle state before the planner acts on it.</summary>
public sealed record RunnerTimeouts
{
    /// <summary>Requested but no provider call confirmed.</summary>
    public TimeSpan Requested { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Instance being created at the provider.</summary>
    public TimeSpan Provisioning { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Instance up, runner not yet registered with the forge (bootstrap timeout).</summary>
    public TimeSpan Registering { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A busy runner whose job lasts longer than this is considered lost.</summary>
    public TimeSpan Busy { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Deletion requested but not confirmed: the delete is issued again.</summary>
    public TimeSpan Draining { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A busy runner whose job the ledger already saw finish is reaped after this grace.</summary>
    public TimeSpan FinishedJobGrace { get; init; } = TimeSpan.FromMinutes(5);

    public static RunnerTimeouts Default { get; } = new();
}
