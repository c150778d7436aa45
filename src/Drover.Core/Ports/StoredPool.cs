namespace Drover.Core.Ports;

/// <summary>A pool as last applied: its configuration snapshot as JSON text and when it was applied.</summary>
public sealed record StoredPool(string Name, string ConfigJson, DateTimeOffset AppliedAt);
