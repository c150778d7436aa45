using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;

namespace Drover.Core.Runners;

/// <summary>
/// Folds what the forges report into runner states: a booting runner whose registration is online becomes Idle (or
/// Busy); an idle one the forge reports busy becomes Busy; a busy one that finished becomes Idle, or Gone when
/// ephemeral and its registration is gone — judged only from a forge list that started after the runner's last change,
/// since an older (reused) list cannot show a registration that appeared since. An ephemeral runner whose whole life fell between two observations
/// (registered, ran a job, exited) is recognised from the ledger — a job that started or finished on it — and becomes
/// Busy or Gone instead of waiting for its boot timeout or being taken for failed (Gone only once its provider's list
/// answered, which tells such a runner from one whose instance was lost under the job). A booting runner whose instance is
/// no longer listed by its provider (past <see cref="InstanceListGrace"/>) and never registered is Failed at once rather
/// than at its boot timeout; a booting or idle runner whose instance the provider reports failed
/// (<see cref="ProviderInstance.Failure"/>) is Failed at once with that reason. A busy runner whose instance the
/// infrastructure took away (<see cref="InstanceFailureKind.Lost"/>: spot interruption, eviction, OOM kill, a signal)
/// is Failed too, and the job it was running is named as lost (<see cref="ObservedChange.LostJob"/>), also when the
/// ledger already says it finished (the forge's re-run call refuses a job that succeeded). A runner Failed as lost with
/// no job known (its job's events lost, the loss seen before any news of the job) is kept for
/// <see cref="LostJobIdentificationWindow"/>; a job the forge then reports running on it — or, in an ephemeral pool,
/// finished on it — is named as lost too. Runners of a forge or provider whose list call failed are left alone.
/// </summary>
/// <remarks>
/// Pure rules: given the runners, the forges' and providers' lists and the ledger, they say which runner moves along
/// which path and why. The engine writes what they say (one transaction per cycle); the simulator can run them as is.
/// </remarks>
public static class ObservationRules
{
    /// <summary>
    /// A booting runner's instance must be missing from its provider's list for at least this long (in the runner's
    /// current state) before the runner counts as failed; covers providers whose lists lag behind their creates.
    /// </summary>
    public static readonly TimeSpan InstanceListGrace = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a runner Failed as lost at its provider (<see cref="Runner.LostAt"/>) with no job known is kept before it
    /// is cleaned up, so a job the forge reports on it later (a poll finds what lost webhooks hid) is still re-run: a few
    /// polls at the default intervals.
    /// </summary>
    public static readonly TimeSpan LostJobIdentificationWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True while <paramref name="runner"/> is Failed as lost with no job known, within
    /// <see cref="LostJobIdentificationWindow"/> of the loss: it is kept (not deleted) so its job can still be named.
    /// </summary>
    public static bool AwaitsLostJob(Runner runner, PoolConfig pool, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(pool);
        return runner is { State: RunnerState.Failed, Job: null, LostAt: { } lostAt } && pool.LostJobReruns > 0 && now - lostAt < LostJobIdentificationWindow;
    }

    /// <summary>Every state change the observations imply, in runner order, over a given set of jobs.</summary>
    /// <param name="runners">The live runners.</param>
    /// <param name="config">The fleet (runners of pools it no longer has are left alone).</param>
    /// <param name="forgeRunners">Registrations per forge that answered (forges that did not are absent).</param>
    /// <param name="forgeListedAt">When the forge lists started.</param>
    /// <param name="jobs">The jobs known.</param>
    /// <param name="instances">Instances per provider that answered.</param>
    /// <param name="now">The cycle's time.</param>
    public static IReadOnlyList<ObservedChange> Changes(
        IReadOnlyList<Runner> runners,
        FleetConfig config,
        IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>> forgeRunners,
        DateTimeOffset forgeListedAt,
        IReadOnlyCollection<Job> jobs,
        IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> instances,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return Changes(runners, config, forgeRunners, forgeListedAt, JobLedger.Of(jobs), instances, now);
    }

    /// <summary>Every state change the observations imply, in runner order.</summary>
    /// <param name="runners">The live runners.</param>
    /// <param name="config">The fleet (runners of pools it no longer has are left alone).</param>
    /// <param name="forgeRunners">Registrations per forge that answered (forges that did not are absent).</param>
    /// <param name="forgeListedAt">When the forge lists started.</param>
    /// <param name="ledger">The job ledger: each runner's jobs are looked up by its name, not found by scanning the jobs.</param>
    /// <param name="instances">Instances per provider that answered.</param>
    /// <param name="now">The cycle's time.</param>
    public static IReadOnlyList<ObservedChange> Changes(
        IReadOnlyList<Runner> runners,
        FleetConfig config,
        IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>> forgeRunners,
        DateTimeOffset forgeListedAt,
        JobLedger ledger,
        IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> instances,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(runners);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(instances);

        // Indexed once per call: a cycle looks up every runner, so a scan per runner would be quadratic in the fleet.
        var registrationsByForge = forgeRunners.ToDictionary(f => f.Key, f => ByFirst(f.Value, r => r.Name), StringComparer.Ordinal);
        var instanceIdsByProvider = instances.ToDictionary(p => p.Key, p => p.Value.Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var failedInstances = new Dictionary<(string Provider, string Id), (string Reason, InstanceFailureKind Kind)>();
        foreach (var (provider, listed) in instances)
        {
            foreach (var instance in listed)
            {
                if (instance.Failure is { } failure)
                {
                    failedInstances.TryAdd((provider, instance.InstanceId), (failure, instance.FailureKind));
                }
            }
        }

        var changes = new List<ObservedChange>();
        foreach (var runner in runners)
        {
            if (config.FindPool(runner.Pool) is not { } pool || !registrationsByForge.TryGetValue(pool.Forge, out var registrations))
            {
                continue;
            }

            var registration = registrations.GetValueOrDefault(runner.Id);
            var (job, finished) = ledger.JobsOn(runner.Id);
            var instanceGone = runner.InstanceId is { } instanceId
                && instanceIdsByProvider.TryGetValue(runner.Provider, out var listed)
                && !listed.Contains(instanceId)
                && now - runner.StateSince >= InstanceListGrace;
            (string Reason, InstanceFailureKind Kind)? instanceFailure = runner.InstanceId is { } id && failedInstances.TryGetValue((runner.Provider, id), out var failed) ? failed : null;
            // A list that started before the runner's last change cannot show that its registration went away.
            var absenceIsNews = runner.StateSince <= forgeListedAt;
            var providerAnswered = instances.ContainsKey(runner.Provider);
            if (Decide(runner, pool, registration, absenceIsNews, job, finished, instanceGone, instanceFailure, providerAnswered, forgeListedAt, now) is { } change)
            {
                changes.Add(new ObservedChange(change.Item1, change.Item2, change.Item3, change.Item4, change.Item5));
            }
        }

        return changes;
    }

    /// <summary>The items by key; of items sharing a key, the first (as a scan with FirstOrDefault would find).</summary>
    private static Dictionary<string, T> ByFirst<T>(IEnumerable<T> items, Func<T, string> key)
    {
        var index = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            index.TryAdd(key(item), item);
        }

        return index;
    }

    private static (Runner, RunnerState[], string, Func<Runner, Runner>?, JobKey?)? Decide(Runner runner, PoolConfig pool, ForgeRunner? registration, bool absenceIsNews, JobKey? job, JobKey? finished, bool instanceGone, (string Reason, InstanceFailureKind Kind)? instanceFailure, bool providerAnswered, DateTimeOffset forgeListedAt, DateTimeOffset now)
    {
        var ranAJob = finished is not null;
        if (AwaitsLostJob(runner, pool, now) && (job ?? (pool.Ephemeral ? finished : null)) is { } identified)
        {
            // Its job is known only now. A finished job counts in an ephemeral pool only, where the runner ran one job:
            // a long-lived runner's finished job may have ended well before the loss.
            return (runner, [RunnerState.Failed], $"job {identified} found on runner {runner.Id}, whose instance {runner.InstanceId} was lost at provider {runner.Provider}", r => r with { Job = identified }, identified);
        }


        if (instanceFailure is { Kind: InstanceFailureKind.Lost } lost
            && (runner.State == RunnerState.Busy || ((job ?? finished) is not null && runner.State is RunnerState.Idle or RunnerState.Registering or RunnerState.Provisioning)))
        {
            // The job it was running, even when the ledger already says it finished: a forge may fail the job the moment
            // its runner vanishes, before the provider's list shows the loss — also before any observation saw the runner
            // take it (its in_progress event lost or late), so a runner still booting in Drover's eyes with a job finished
            // on it lost that job. The forge's re-run call refuses a job that succeeded there, so a job that ended well
            // before its instance went is not run again.
            var lostJob = job ?? (runner.State == RunnerState.Busy ? runner.Job : null) ?? finished;
            var under = lostJob is { } k ? $" while running job {k}" : string.Empty;
            return (runner, [RunnerState.Failed], $"instance {runner.InstanceId} lost at provider {runner.Provider}{under}: {lost.Reason}", r => r with { LostAt = now, Job = lostJob ?? r.Job }, lostJob);
        }

        switch (runner.State)
        {
            // Taken for a runner that ran its job and exited only once its provider answered: the same signs (a job
            // finished on it, no registration) are what a runner whose instance was lost under that job leaves, and only
            // the provider's list tells the two apart.
            case RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering or RunnerState.Idle
                when registration is null && pool.Ephemeral && (job is not null || (ranAJob && providerAnswered)):
                var end = ranAJob && job is null ? RunnerState.Gone : RunnerState.Busy;
                RunnerState[] unseen = runner.State switch
                {
                    RunnerState.Requested => [RunnerState.Provisioning, RunnerState.Registering, RunnerState.Busy, end],
                    RunnerState.Provisioning => [RunnerState.Registering, RunnerState.Busy, end],
                    _ => [RunnerState.Busy, end],
                };
                return end == RunnerState.Gone
                    ? (runner, unseen.Distinct().ToArray(), "ephemeral runner ran its job and exited between two observations", null, null)
                    : (runner, unseen.Distinct().ToArray(), "took a job before its registration was seen", r => r with { Job = job }, null);
            case RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering or RunnerState.Idle
                when registration is not null && pool.Ephemeral && ranAJob && job is null:
                // A forge that keeps the registration of a runner that exited (GitLab): the runner ran its job and is done.
                // Busy with that finished job, it is deleted — registration included — after the finished-job grace.
                RunnerState[] done = runner.State switch
                {
                    RunnerState.Requested => [RunnerState.Provisioning, RunnerState.Registering, RunnerState.Busy],
                    RunnerState.Provisioning => [RunnerState.Registering, RunnerState.Busy],
                    _ => [RunnerState.Busy],
                };
                return (runner, done, "ran its job between two observations; its registration is still listed", r => r with { Job = finished, ForgeRunnerId = registration.Id }, null);
            case RunnerState.Provisioning or RunnerState.Registering or RunnerState.Idle when instanceFailure is { } failure:
                // Lost with no job known: it may yet turn out to have taken one whose news was lost (see AwaitsLostJob).
                return failure.Kind == InstanceFailureKind.Lost
                    ? (runner, [RunnerState.Failed], $"instance {runner.InstanceId} lost at provider {runner.Provider}: {failure.Reason}", r => r with { LostAt = now }, null)
                    : (runner, [RunnerState.Failed], $"instance {runner.InstanceId} failed at provider {runner.Provider}: {failure.Reason}", null, null);
            case RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering when registration is { Online: true }:
                var target = registration.Busy ? RunnerState.Busy : RunnerState.Idle;
                RunnerState[] path = runner.State switch
                {
                    RunnerState.Requested => [RunnerState.Provisioning, RunnerState.Registering, target],
                    RunnerState.Provisioning => [RunnerState.Registering, target],
                    _ => [target],
                };
                // Registered online no later than the start of the list that showed it so.
                return (runner, path, "registered with the forge", r => r with { ForgeRunnerId = registration.Id, Job = registration.Busy ? job : null, RegisteredAt = r.RegisteredAt ?? forgeListedAt }, null);
            case RunnerState.Provisioning or RunnerState.Registering when registration is not { Online: true } && instanceGone:
                // An offline registration is the one minting its credential made (a GitHub JIT configuration, a GitLab
                // runner token): the runner never came online, and its instance is gone.
                return (runner, [RunnerState.Failed], $"instance {runner.InstanceId} ended before the runner registered (no longer listed by provider {runner.Provider})", null, null);
            case RunnerState.Idle when registration is null && absenceIsNews:
                return (runner, [RunnerState.Failed], "registration disappeared while idle", null, null);
            case RunnerState.Idle when registration is { Busy: true }:
                return (runner, [RunnerState.Busy], "took a job", r => r with { Job = job }, null);
            case RunnerState.Busy when registration is null && absenceIsNews:
                return pool.Ephemeral
                    ? (runner, [RunnerState.Gone], "ephemeral runner exited after its job", null, null)
                    : (runner, [RunnerState.Failed], "registration disappeared while busy", null, null);
            case RunnerState.Busy when registration is { Busy: false } && !pool.Ephemeral:
                return (runner, [RunnerState.Idle], "finished its job", null, null);
            case RunnerState.Busy when registration is { Busy: true } && runner.Job is null && job is not null:
                return (runner, [RunnerState.Busy], "job identified", r => r with { Job = job }, null);
            default:
                return null;
        }
    }
}
