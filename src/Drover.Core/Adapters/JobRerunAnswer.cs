namespace Drover.Core.Adapters;

/// <summary>What a forge answered to a re-run request (<see cref="IJobRerun.RerunJobAsync"/>).</summary>
/// <param name="Accepted">True when the forge queued the job again; false when it cannot yet (the job has not ended there).</param>
/// <param name="NewJobId">The id of the job the forge queued for the re-run, when it is known.</param>
/// <param name="Message">The answer in words.</param>
public sealed record JobRerunAnswer(bool Accepted, string? NewJobId, string Message)
{
    /// <summary>The forge queued the job again as <paramref name="newJobId"/> (null when it did not say).</summary>
    public static JobRerunAnswer Queued(string? newJobId, string message) => new(true, newJobId, message);

    /// <summary>The forge cannot re-run the job yet (it still runs there); ask again later.</summary>
    public static JobRerunAnswer NotYet(string message) => new(false, null, message);
}
