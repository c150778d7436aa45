namespace Drover.Server.Hosting;

/// <summary>The shape of <c>drover serve</c>'s log lines.</summary>
public enum LogFormat
{
    /// <summary>Human-readable: <c>2026-12-07T14:00:00.000Z info: Category[EventId] message</c>, one line per record.</summary>
    Text,

    /// <summary>One JSON object per line (timestamp, level, category, event id, message and its named values), for log collectors.</summary>
    Json,
}
