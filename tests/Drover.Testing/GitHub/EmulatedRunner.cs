namespace Drover.Testing.GitHub;

/// <summary>A self-hosted runner registration held by the emulator.</summary>
public sealed class EmulatedRunner
{
    public required long Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The REST scope prefix it was registered under: <c>/repos/o/r</c>, <c>/orgs/o</c> or <c>/enterprises/e</c>.</summary>
    public required string Scope { get; init; }

    public required IReadOnlyList<string> Labels { get; init; }

    public required bool Ephemeral { get; init; }

    public required long GroupId { get; init; }

    /// <summary>The secret inside its JIT config; the stand-in runner proves it holds the config with it.</summary>
    public required string Secret { get; init; }

    public bool Online { get; set; }

    public bool Busy => JobId is not null;

    public long? JobId { get; set; }

    /// <summary>Jobs this registration has run.</summary>
    public int JobsRun { get; set; }

    /// <summary>The scale set whose JIT config made it; it takes only jobs assigned to that set.</summary>
    public long? ScaleSetId { get; init; }
}
