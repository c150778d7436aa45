namespace Drover.Testing.GitLab;

/// <summary>A CI job in the GitLab emulator.</summary>
public sealed class EmulatedGitLabJob
{
    public required long Id { get; init; }

    public required long Project { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>The job's name in its pipeline.</summary>
    public string Name { get; init; } = "build";

    /// <summary>The pipeline it belongs to; a retry stays in it.</summary>
    public long Pipeline { get; init; }

    /// <summary>True once retried: the pipeline's job list shows the retry instead (unless asked with <c>include_retried</c>).</summary>
    public bool Retried { get; set; }

    /// <summary>The failure reason GitLab gives a failed job (e.g. <c>runner_system_failure</c>).</summary>
    public string? FailureReason { get; set; }

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
