namespace Drover.Core.Ports;

/// <summary>
/// One entry of the append-only event log: who (<see cref="Actor"/>) did what (<see cref="Kind"/>) to what
/// (<see cref="Subject"/>) and when. Ids grow in append order.
/// </summary>
public sealed record StoredEvent(long Id, DateTimeOffset At, string Actor, string Kind, string Subject, string Message, string? DataJson);
