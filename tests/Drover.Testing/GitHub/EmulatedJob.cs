namespace Drover.Testing.GitHub;

/// <summary>A workflow job held by the emulator.</summary>
public sealed class EmulatedJob
{
    public required long Id { get; init; }

    public required long RunId { get; init; }

    /// <summary>Repository full name, <c>owner/repo</c>.</summary>
    public required string Repository { get; init; }

    public required IReadOnlyList<string> Labels { get; init; }

    public required string Name { get; init; }

    /// <summary>How long the stand-in runner works on it.</summary>
    public required TimeSpan Duration { get; init; }

    public string Status { get; set; } = "queued";

    public string? Conclusion { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public long? RunnerId { get; set; }

    public string? RunnerName { get; set; }

    /// <summary>How many runners took this job (must end at 1).</summary>
    public int Takes { get; set; }

    /// <summary>The attempt of its workflow run it belongs to (a re-run queues the job again in a new attempt, under a new id).</summary>
    public int RunAttempt { get; init; } = 1;

    /// <summary>The id of the job that re-runs this one, once re-run.</summary>
    public long? RerunAs { get; set; }

    /// <summary>The runner scale set GitHub assigned the job to, when one's labels cover it.</summary>
    public long? ScaleSetId { get; set; }

    /// <summary>The scale set whose JIT config made the runner that took it (null: a runner of no scale set).</summary>
    public long? RunnerScaleSetId { get; set; }

    /// <summary>Whether the scale set's listener acquired it (only asked for when jobs are offered as available first).</summary>
    public bool Acquired { get; set; }
}
