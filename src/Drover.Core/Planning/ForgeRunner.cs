namespace Drover.Core.Planning;

/// <summary>A runner registration the forge reports as owned by this controller (by name prefix or label).</summary>
public sealed record ForgeRunner
{
    public required string Forge { get; init; }

    public required string Id { get; init; }

    public required string Name { get; init; }

    public bool Online { get; init; }

    public bool Busy { get; init; }

    /// <summary>When Drover first saw this registration (forges do not all report creation time).</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }
}
