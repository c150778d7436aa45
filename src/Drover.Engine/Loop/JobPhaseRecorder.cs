using Drover.Core.Demand;
using Drover.Core.Runners;
using Drover.Engine.Execution;

namespace Drover.Engine.Loop;

/// <summary>
/// Attaches to each job that started on a Drover runner that runner's boot milestones (<see cref="Job.RunnerTimes"/>),
/// once the observations have seen the runner ready, records the job's <see cref="JobPhases"/> in
/// <c>drover_job_phase_seconds</c> and writes the job, so its phases survive a restart or a failover and every
/// replica's API shows them. A job taken by a runner Drover does not know gets no phases.
/// </summary>
internal sealed class JobPhaseRecorder
{
    /// <summary>
    /// A job whose runner is still booting in the store's eyes (or whose creation time is still unknown) this long after
    /// the job started is given the milestones seen so far rather than waited on for ever (the missing ones count toward
    /// the phase before them; a job whose creation time never arrived gets no phases).
    /// </summary>
    public static readonly TimeSpan ReadyWait = TimeSpan.FromMinutes(2);

    private readonly ExecutionServices _services;

    /// <param name="services">Store, metrics and logs.</param>
    public JobPhaseRecorder(ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>
    /// Attaches milestones to the jobs in <see cref="DemandIntake.AwaitingPhases"/> whose runner is ready (or gone, or
    /// past <see cref="ReadyWait"/>), records their phases and writes them in one transaction; returns the jobs
    /// written, with their phases.
    /// </summary>
    public async Task<IReadOnlyList<(Job Job, string Pool, JobPhases? Phases)>> RecordAsync(
        DemandIntake demand, IReadOnlyList<Runner> liveRunners, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(liveRunners);
        if (demand.AwaitingPhases.Count == 0)
        {
            return [];
        }

        Dictionary<string, Runner>? live = null;
        var done = new List<JobKey>();
        var stamped = new List<(Job, string, JobPhases?)>();
        foreach (var key in demand.AwaitingPhases)
        {
            if (demand.Ledger.Get(key) is not { RunnerName: { } runnerName, StartedAt: { } started } job || job.RunnerTimes is not null)
            {
                done.Add(key);
                continue;
            }

            live ??= liveRunners.ToDictionary(r => r.Id, StringComparer.Ordinal);
            var runner = live.GetValueOrDefault(runnerName)
                ?? await _services.Store.GetRunnerAsync(runnerName, cancellationToken).ConfigureAwait(false);
            if (runner is null)
            {
                // Not a runner of this fleet: there is nothing to split the wait after intake by.
                Tracing.EngineTracing.JobStarted(job, string.Empty, null);
                done.Add(key);
                continue;
            }

            if ((runner is { IsBooting: true, ReadyAt: null } || job.QueuedAt is null || job.KnownAt is null) && now - started < ReadyWait)
            {
                // Or its start arrived before its queued event (both in the same second on the forge): the phases are
                // measured once the job's creation is known too.
                // The job's start arrived before an observation saw its runner ready (or, for a short job, saw it run and
                // exit): the next cycle will.
                continue;
            }

            done.Add(key);
            var times = new JobRunnerTimes
            {
                RunnerId = runner.Id,
                RequestedAt = runner.CreatedAt,
                InstanceCreatedAt = runner.ProvisionedAt,
                RegisteredAt = runner.RegisteredAt,
                ReadyAt = runner.ReadyAt,
            };
            if (demand.Ledger.AttachRunnerTimes(key, times) is { } attached)
            {
                var phases = JobPhases.Of(attached);
                if (phases is not null)
                {
                    _services.Metrics.JobPhasesMeasured(runner.Pool, phases);
                }

                Tracing.EngineTracing.JobStarted(attached, runner.Pool, phases);

                stamped.Add((attached, runner.Pool, phases));
            }
        }

        foreach (var key in done)
        {
            demand.AwaitingPhases.Remove(key);
        }

        if (stamped.Count > 0)
        {
            await _services.Store.InTransactionAsync(
                async (writer, ct) =>
                {
                    foreach (var (job, _, _) in stamped)
                    {
                        await writer.UpsertJobAsync(job, ct).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }

        return stamped;
    }
}
