using Drover.Core.Runners;

namespace Drover.Engine.Loop;

/// <summary>What <see cref="ObservationSync.SyncAsync"/> wrote.</summary>
/// <param name="Changed">Each runner it moved, as it was and as it is now.</param>
/// <param name="Rejected">
/// True when a transition was refused part-way along its path: what was written of that path is not in
/// <paramref name="Changed"/>, so a caller keeping its own view of the runners reads them from the store again.
/// </param>
internal sealed record SyncResult(IReadOnlyList<(Runner Before, Runner After)> Changed, bool Rejected)
{
    /// <summary>Nothing changed.</summary>
    public static SyncResult None { get; } = new([], false);
}
