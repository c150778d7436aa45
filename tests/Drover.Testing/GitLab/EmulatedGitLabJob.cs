namespace Drover.Testing.GitLab;

/// <summary>A CI job in the GitLab emulator.</summary>
public sealed class EmulatedGitLabJob
{
    public required long Id { get; init; }

    public required long Project { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public required TimeSpan Duration { get; init; }

    public string Status { get; set; } = "pending";

    public long? RunnerId { get; set; }

    public string? RunnerDescription { get; set; }

    /// <summary>How many runners were handed this job (must end at 1).</summary>
    public int Takes { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string JobToken { get; init; } = Guid.NewGuid().ToString("N");
}
