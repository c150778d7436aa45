namespace Drover.Core.Ports;

/// <summary>An event to append to the log; the store assigns its id (see <see cref="StoredEvent"/>).</summary>
public sealed record NewEvent(DateTimeOffset At, string Actor, string Kind, string Subject, string Message, string? DataJson = null);
