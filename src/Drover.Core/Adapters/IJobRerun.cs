using Drover.Core.Demand;

namespace Drover.Core.Adapters;

/// <summary>
/// A forge that can run a job again (GitHub: re-run a job of a workflow run; GitLab: retry a job). Optional, like
/// <see cref="IWebhookReceiver"/>: a forge without it has its lost jobs recorded as not re-run. Used for jobs whose
/// runner the infrastructure took away under them, never for jobs that failed on their own.
/// </summary>
public interface IJobRerun
{
    /// <summary>
    /// Asks the forge to run <paramref name="rerun"/>'s job again. A forge re-runs only a job that has ended, and notices a
    /// runner that vanished under a job only after its own timeout: until then the answer is
    /// <see cref="JobRerunAnswer.NotYet"/> and the engine asks again later.
    /// </summary>
    /// <exception cref="Exception">The forge refused or could not be reached; classified by <see cref="CallFailures"/>.</exception>
    Task<JobRerunAnswer> RerunJobAsync(JobRerun rerun, CancellationToken cancellationToken);
}
