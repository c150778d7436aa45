namespace Drover.Core.Demand;

/// <summary>
/// A job that was lost because the infrastructure took its runner's instance away, and what Drover did about it: one
/// record per lost job, written in the same transaction that fails the runner (so a restart or a new leader neither
/// forgets nor repeats the decision), then updated once the forge accepts or refuses the re-run.
/// </summary>
public sealed record JobRerun
{
    /// <summary>The job that was lost.</summary>
    public required JobKey Job { get; init; }

    /// <summary>The first job of its line of re-runs (the job itself unless it is a re-run of a lost job).</summary>
    public required string OriginJobId { get; init; }

    /// <summary>Which re-run of its line this is (1 for the first); 0 when none is made (capped, disabled).</summary>
    public required int Attempt { get; init; }

    public required JobRerunState State { get; init; }

    /// <summary>The pool whose runner ran it.</summary>
    public required string Pool { get; init; }

    /// <summary>The runner that ran it when its instance was lost.</summary>
    public required string RunnerId { get; init; }

    public required string Provider { get; init; }

    public string? InstanceId { get; init; }

    /// <summary>What happened to the instance, in the provider's words.</summary>
    public required string Reason { get; init; }

    /// <summary>The job's repository or project, as the ledger knows it.</summary>
    public string? Scope { get; init; }

    /// <summary>The job's workflow run or pipeline, as the ledger knows it.</summary>
    public long? RunId { get; init; }

    public required DateTimeOffset LostAt { get; init; }

    /// <summary>When the record last changed (the last call to the forge for a pending one).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>How many times the forge was asked.</summary>
    public int Calls { get; init; }

    /// <summary>The id of the job the forge created for the re-run, when it said.</summary>
    public string? NewJobId { get; init; }

    /// <summary>The outcome in words: the forge's answer, or why no re-run is made.</summary>
    public string? Message { get; init; }
}
