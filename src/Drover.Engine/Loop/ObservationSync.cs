using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;

namespace Drover.Engine.Loop;

/// <summary>
/// Writes the runner state changes that <see cref="ObservationRules"/> derive from the forges' and providers' lists and
/// the ledger, in one transaction, and returns the runners it changed. A job lost with its runner's instance is recorded
/// in that same transaction (<see cref="LostJobReruns"/>).
/// </summary>
internal sealed class ObservationSync
{
    private readonly ExecutionServices _services;
    private readonly LostJobReruns _reruns;

    /// <param name="services">Store, clock, logs and metrics.</param>
    /// <param name="reruns">Records the jobs lost with their runner's instance.</param>
    public ObservationSync(ExecutionServices services, LostJobReruns reruns)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _reruns = reruns ?? throw new ArgumentNullException(nameof(reruns));
    }

    /// <summary>Writes every state change the observations imply, in one transaction; returns the runners it changed.</summary>
    public async Task<SyncResult> SyncAsync(
        IReadOnlyList<Runner> runners,
        FleetConfig config,
        IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>> forgeRunners,
        DateTimeOffset forgeListedAt,
        JobLedger jobs,
        IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> instances,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var changes = ObservationRules.Changes(runners, config, forgeRunners, forgeListedAt, jobs, instances, now);
        if (changes.Count == 0)
        {
            return SyncResult.None;
        }

        var transitions = _services.Transitions;
        var lost = new List<JobRerun>();
        var result = await _services.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                lost.Clear();
                var changed = new List<(Runner, Runner)>();
                var rejected = false;
                foreach (var (runner, path, reason, change, lostJob) in changes)
                {
                    var next = await transitions.ApplyPathAsync(writer, runner, path, now, reason, ct, change).ConfigureAwait(false);
                    if (next is null)
                    {
                        rejected = true;
                        continue;
                    }

                    changed.Add((runner, next));
                    if (lostJob is { } job
                        && await _reruns.RecordAsync(writer, runner, job, reason, config, jobs.Get(job), now, ct).ConfigureAwait(false) is { } recorded)
                    {
                        lost.Add(recorded);
                    }

                    if (runner.IsBooting && next.State is RunnerState.Idle or RunnerState.Busy)
                    {
                        _services.Metrics.RunnerProvisioned(runner.Pool, now - runner.CreatedAt);
                        await writer.AppendEventAsync(new NewEvent(now, "engine", EventKinds.RunnerRegistered, runner.Id, next.ForgeRunnerId is { Length: > 0 } forgeRunnerId
                            ? $"registered with the forge as {forgeRunnerId}"
                            : "registered with the forge: seen running a job before the forge listed its registration"), ct).ConfigureAwait(false);
                    }
                }

                return new SyncResult(changed, rejected);
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var recorded in lost)
        {
            _reruns.Report(recorded);
        }

        return result;
    }
}
