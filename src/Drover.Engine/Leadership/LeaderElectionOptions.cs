namespace Drover.Engine.Leadership;

/// <summary>Settings of the leader lease shared by every replica on one store.</summary>
public sealed record LeaderElectionOptions
{
    /// <summary>The lease row's name; replicas of one fleet share it. Default <c>controller</c>.</summary>
    public string LeaseName { get; init; } = "controller";

    /// <summary>
    /// How long a lease lasts without renewal. A leader that cannot renew steps down before this runs out, and a
    /// follower takes over at most this long after the leader died. Default 15 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the leader renews and a follower tries to take over. Default 5 s (a third of the lease).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The defaults.</summary>
    public static LeaderElectionOptions Default { get; } = new();

    /// <summary>Checks the settings; the message names the field.</summary>
    /// <exception cref="ArgumentException">A duration is not positive, or renewal is not well inside the lease.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(LeaseName))
        {
            throw new ArgumentException("leader election: LeaseName must not be empty");
        }

        if (LeaseDuration <= TimeSpan.Zero || RetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("leader election: LeaseDuration and RetryInterval must be positive");
        }

        if (RetryInterval * 2 > LeaseDuration)
        {
            throw new ArgumentException($"leader election: RetryInterval ({RetryInterval}) must be at most half of LeaseDuration ({LeaseDuration}) so a leader renews before its lease runs out");
        }
    }
}
