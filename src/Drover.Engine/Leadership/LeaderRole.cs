namespace Drover.Engine.Leadership;

/// <summary>What this replica is right now.</summary>
public enum LeaderRole
{
    /// <summary>Not yet known: the first attempt at the lease has not finished.</summary>
    Unknown,

    /// <summary>This replica holds the lease: it plans and executes.</summary>
    Leader,

    /// <summary>Another replica holds the lease: this one only accepts webhooks and API calls.</summary>
    Follower,
}
