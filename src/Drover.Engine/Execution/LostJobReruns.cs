using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Logging;

namespace Drover.Engine.Execution;

/// <summary>
/// Jobs whose runner the infrastructure took away under them. <see cref="RecordAsync"/> runs inside the transaction
/// that fails the runner and records the loss with the decision (<see cref="JobRerunRules.Decide"/>: re-run, or not
/// because the pool opts out or the job's line of re-runs used the pool's <c>lostJobReruns</c>), keyed by the job, so a
/// restart or a new leader neither forgets nor repeats it. <see cref="RequestDueAsync"/> then asks the forge
/// (<see cref="IJobRerun"/>) for each pending re-run through the call policy, again on later cycles while the forge
/// cannot yet (the job has not ended there), and records the answer.
/// </summary>
internal sealed class LostJobReruns
{
    /// <summary>How often the store is read for pending re-runs when this process recorded no new loss since.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private readonly ExecutionServices _services;
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;

    /// <param name="services">Store, adapters, call policy, clock, logs and metrics.</param>
    public LostJobReruns(ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>
    /// Records the loss of <paramref name="lost"/>, which <paramref name="runner"/> ran when its instance was taken away,
    /// with <paramref name="writer"/> (the transaction that fails the runner). A job already recorded is left as it is.
    /// Returns the record written (null when there was one already), so the caller reports it once committed
    /// (<see cref="Report"/>).
    /// </summary>
    public async Task<JobRerun?> RecordAsync(IStateWriter writer, Runner runner, JobKey lost, string reason, FleetConfig config, Job? known, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(config);
        if (await writer.GetJobRerunAsync(lost, cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }

        var parent = await writer.FindJobRerunCreatingAsync(lost, cancellationToken).ConfigureAwait(false);
        var origin = parent?.OriginJobId ?? lost.Id;
        var made = await writer.CountLineRerunsAsync(lost.Forge, origin, cancellationToken).ConfigureAwait(false);
        var limit = config.FindPool(runner.Pool)?.LostJobReruns ?? PoolConfig.DefaultLostJobReruns;
        var rerun = JobRerunRules.Decide(lost, known, parent, made, limit, runner.Pool, runner.Id, runner.Provider, runner.InstanceId, reason, now);
        if (!await writer.TryAddJobRerunAsync(rerun, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var outcome = Outcome(rerun, limit);
        await writer.AppendEventAsync(new NewEvent(now, "engine", EventKinds.JobLost, lost.ToString(), $"runner {runner.Id} (instance {runner.InstanceId} at {runner.Provider}): {reason}; {outcome}"), cancellationToken).ConfigureAwait(false);
        return rerun;
    }

    /// <summary>Logs and counts a loss <see cref="RecordAsync"/> wrote, once its transaction committed; a pending re-run is asked for in this cycle.</summary>
    public void Report(JobRerun rerun)
    {
        ArgumentNullException.ThrowIfNull(rerun);
        var outcome = rerun.State == JobRerunState.Pending ? $"re-run {rerun.Attempt} is asked of the forge" : $"not re-run: {rerun.Message}";
        EngineLog.JobLost(_services.Logger, rerun.Job.ToString(), rerun.RunnerId, rerun.Reason, outcome);
        if (rerun.State == JobRerunState.Pending)
        {
            _nextCheck = DateTimeOffset.MinValue;
        }

        _services.Metrics.JobLost(rerun.Pool, rerun.State switch
        {
            JobRerunState.Pending => "rerun",
            JobRerunState.Capped => "capped",
            _ => "disabled",
        });
    }

    /// <summary>
    /// Asks the forges for every pending re-run that is due, and records each answer. The store is read at once after
    /// this process recorded a loss, else at most every <see cref="CheckInterval"/> (another leader's pending re-runs).
    /// </summary>
    public async Task RequestDueAsync(string actor, CancellationToken cancellationToken)
    {
        var at = _services.Time.GetUtcNow();
        if (at < _nextCheck)
        {
            return;
        }

        _nextCheck = at + CheckInterval;
        var pending = await _services.Store.ListJobRerunsAsync(JobRerunState.Pending, cancellationToken).ConfigureAwait(false);
        foreach (var rerun in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _services.Time.GetUtcNow();
            if (JobRerunRules.Expired(rerun, now))
            {
                var waited = $"the forge did not accept the re-run within {JobRerunRules.Window.TotalHours:0} hours ({rerun.Calls} calls; last: {rerun.Message ?? "no answer"})";
                await RefuseAsync(rerun, waited, actor, now, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!JobRerunRules.Due(rerun, now))
            {
                continue;
            }

            var adapter = _services.Adapters.Forge(rerun.Job.Forge);
            if (adapter is not IJobRerun forge)
            {
                var why = adapter is null ? $"no forge named '{rerun.Job.Forge}'" : $"forge '{rerun.Job.Forge}' cannot re-run jobs";
                await RefuseAsync(rerun, why, actor, now, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await AskAsync(adapter.Name, forge, rerun, actor, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Outcome(JobRerun rerun, int limit) =>
        rerun.State == JobRerunState.Pending ? $"re-run {rerun.Attempt} of at most {limit} is asked of the forge" : $"not re-run: {rerun.Message}";

    private async Task AskAsync(string forgeName, IJobRerun forge, JobRerun rerun, string actor, CancellationToken cancellationToken)
    {
        var s = _services;
        JobRerunAnswer answer;
        try
        {
            answer = await s.Calls.RunAsync($"forge {forgeName}", ct => forge.RerunJobAsync(rerun, ct), cancellationToken).ConfigureAwait(false);
            s.Metrics.ForgeCall(forgeName, "rerun", null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            s.Metrics.ForgeCall(forgeName, "rerun", e);
            var now = s.Time.GetUtcNow();
            var described = RunnerCreation.Describe(e);
            if (CallFailures.Classify(e).Kind is CallFailureKind.NotFound or CallFailureKind.Configuration)
            {
                await RefuseAsync(rerun with { Calls = rerun.Calls + 1 }, $"the forge refused: {described}", actor, now, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await UpdateAsync(rerun with { Calls = rerun.Calls + 1, UpdatedAt = now, Message = described }, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var at = s.Time.GetUtcNow();
        if (!answer.Accepted)
        {
            await UpdateAsync(rerun with { Calls = rerun.Calls + 1, UpdatedAt = at, Message = answer.Message }, cancellationToken).ConfigureAwait(false);
            return;
        }

        var done = rerun with { State = JobRerunState.Requested, Calls = rerun.Calls + 1, UpdatedAt = at, NewJobId = answer.NewJobId, Message = answer.Message };
        var message = answer.NewJobId is { } id ? $"re-run as job {id}: {answer.Message}" : answer.Message;
        await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                await writer.UpdateJobRerunAsync(done, ct).ConfigureAwait(false);
                await writer.AppendEventAsync(new NewEvent(at, actor, EventKinds.JobRerunRequested, rerun.Job.ToString(), message), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        s.Metrics.JobRerun(rerun.Pool, "requested");
        EngineLog.JobRerunRequested(s.Logger, forgeName, rerun.Job.ToString(), message);
    }

    private async Task RefuseAsync(JobRerun rerun, string reason, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var refused = rerun with { State = JobRerunState.Refused, UpdatedAt = now, Message = reason };
        await _services.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                await writer.UpdateJobRerunAsync(refused, ct).ConfigureAwait(false);
                await writer.AppendEventAsync(new NewEvent(now, actor, EventKinds.JobRerunRefused, rerun.Job.ToString(), reason), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        _services.Metrics.JobRerun(rerun.Pool, "refused");
        EngineLog.JobRerunRefused(_services.Logger, rerun.Job.ToString(), reason);
    }

    private Task UpdateAsync(JobRerun rerun, CancellationToken cancellationToken) =>
        _services.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                await writer.UpdateJobRerunAsync(rerun, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}
