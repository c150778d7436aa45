using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;

namespace Drover.Engine.Loop;

/// <summary>
/// Folds what the forges report into runner states: a booting runner whose registration is online becomes Idle (or
/// Busy); an idle one the forge reports busy becomes Busy; a busy one that finished becomes Idle, or Gone when
/// ephemeral and its registration is gone. Runners of a forge whose list call failed are left alone.
/// </summary>
public sealed class ObservationSync
{
    private readonly ExecutionServices _services;

    /// <param name="services">Store, clock, logs and metrics.</param>
    public ObservationSync(ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>Writes every state change the observations imply, in one transaction; returns how many runners changed.</summary>
    public async Task<int> SyncAsync(
        IReadOnlyList<Runner> runners,
        FleetConfig config,
        IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>> forgeRunners,
        IReadOnlyCollection<Job> runningJobs,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runners);
        ArgumentNullException.ThrowIfNull(config);
        var jobsByRunner = new Dictionary<string, JobKey>(StringComparer.Ordinal);
        foreach (var job in runningJobs)
        {
            if (job.RunnerName is { } name)
            {
                jobsByRunner[name] = job.Key;
            }
        }

        var changes = new List<(Runner Runner, RunnerState[] Path, string Reason, Func<Runner, Runner>? Change)>();
        foreach (var runner in runners)
        {
            if (config.FindPool(runner.Pool) is not { } pool || !forgeRunners.TryGetValue(pool.Forge, out var registrations))
            {
                continue;
            }

            var registration = registrations.FirstOrDefault(r => r.Name == runner.Id);
            var job = jobsByRunner.TryGetValue(runner.Id, out var key) ? key : (JobKey?)null;
            if (Decide(runner, pool, registration, job) is { } change)
            {
                changes.Add(change);
            }
        }

        if (changes.Count == 0)
        {
            return 0;
        }

        var transitions = _services.Transitions;
        var changed = await _services.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                var count = 0;
                foreach (var (runner, path, reason, change) in changes)
                {
                    var next = await transitions.ApplyPathAsync(writer, runner, path, now, reason, ct, change).ConfigureAwait(false);
                    if (next is null)
                    {
                        continue;
                    }

                    count++;
                    if (runner.IsBooting && next.State is RunnerState.Idle or RunnerState.Busy)
                    {
                        _services.Metrics.RunnerProvisioned(runner.Pool, now - runner.CreatedAt);
                        await writer.AppendEventAsync(new NewEvent(now, "engine", "runner.registered", runner.Id, $"registered with the forge as {next.ForgeRunnerId}"), ct).ConfigureAwait(false);
                    }
                }

                return count;
            },
            cancellationToken).ConfigureAwait(false);
        return changed;
    }

    private static (Runner, RunnerState[], string, Func<Runner, Runner>?)? Decide(Runner runner, PoolConfig pool, ForgeRunner? registration, JobKey? job)
    {
        switch (runner.State)
        {
            case RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering when registration is { Online: true }:
                var target = registration.Busy ? RunnerState.Busy : RunnerState.Idle;
                RunnerState[] path = runner.State switch
                {
                    RunnerState.Requested => [RunnerState.Provisioning, RunnerState.Registering, target],
                    RunnerState.Provisioning => [RunnerState.Registering, target],
                    _ => [target],
                };
                return (runner, path, "registered with the forge", r => r with { ForgeRunnerId = registration.Id, Job = registration.Busy ? job : null });
            case RunnerState.Idle when registration is null:
                return (runner, [RunnerState.Failed], "registration disappeared while idle", null);
            case RunnerState.Idle when registration.Busy:
                return (runner, [RunnerState.Busy], "took a job", r => r with { Job = job });
            case RunnerState.Busy when registration is null:
                return pool.Ephemeral
                    ? (runner, [RunnerState.Gone], "ephemeral runner exited after its job", null)
                    : (runner, [RunnerState.Failed], "registration disappeared while busy", null);
            case RunnerState.Busy when !registration.Busy && !pool.Ephemeral:
                return (runner, [RunnerState.Idle], "finished its job", null);
            case RunnerState.Busy when registration.Busy && runner.Job is null && job is not null:
                return (runner, [RunnerState.Busy], "job identified", r => r with { Job = job });
            default:
                return null;
        }
    }
}
