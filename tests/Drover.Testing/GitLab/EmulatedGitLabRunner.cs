namespace Drover.Testing.GitLab;

/// <summary>A runner registered in the GitLab emulator (created with <c>POST /user/runners</c>).</summary>
public sealed class EmulatedGitLabRunner
{
    public required long Id { get; init; }

    public required string Description { get; init; }

    public required string Token { get; init; }

    public required string Type { get; init; }

    public long? GroupId { get; init; }

    public long? ProjectId { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public bool RunUntagged { get; init; }

    /// <summary>When the runner last asked for a job; never_contacted when null.</summary>
    public DateTimeOffset? ContactedAt { get; set; }
}
