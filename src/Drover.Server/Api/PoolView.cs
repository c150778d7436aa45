namespace Drover.Server.Api;

/// <summary>A pool as the API and the dashboard show it. <c>Desired</c> is null where this replica does not plan (a follower).</summary>
internal sealed record PoolView(
    string Name,
    string Forge,
    string Provider,
    string Policy,
    int Min,
    int Max,
    int? Desired,
    int Actual,
    int Booting,
    int Idle,
    int Busy,
    int Queued,
    double? WaitP95Seconds,
    bool Drained,
    string? Reason,
    IReadOnlyList<string> Notes);
