using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Traces;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Demo;

/// <summary>
/// A simulated forge: replays a synthetic trace as job events in real time (sped up), assigns queued jobs to idle
/// registered runners whose labels fit, like GitHub and GitLab do, and completes them after their duration.
/// Ephemeral runners unregister after their job and their instance stops. A runner lost under its job (a spot
/// interruption) fails the job; a re-run (<see cref="IJobRerun"/>) queues it again under a new id.
/// </summary>
public sealed class DemoForge : IForge, IJobRerun
{
    private readonly DemoWorld _world;
    private readonly ForgeConfig _forge;
    private readonly FleetConfig _config;
    private readonly Queue<DemoJob> _pending;
    private readonly List<DemoJob> _queued = [];
    private readonly Dictionary<string, DemoRegistration> _registrations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Pool, string Secret)> _minted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DemoJob> _failed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _rerunAs = new(StringComparer.Ordinal);
    private readonly List<JobEvent> _backlog = [];
    private int _nextRegistration;
    private int _submitted;

    internal DemoForge(DemoWorld world, ForgeConfig forge, FleetConfig config, DemoOptions options, DateTimeOffset start)
    {
        _world = world;
        _forge = forge;
        _config = config;
        _pending = new Queue<DemoJob>(Replay(forge, config, options, start));
    }

    /// <inheritdoc/>
    public string Name => _forge.Name;

    /// <inheritdoc/>
    public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
    {
        lock (_world.Sync)
        {
            var secret = Convert.ToHexString(_world.NextBytes(16));
            _minted[runnerName] = (pool, secret);
            return Task.FromResult(new RunnerCredential(_forge.Kind == ForgeKind.GitHub ? "jit-config" : "runner-token", secret));
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
    {
        lock (_world.Sync)
        {
            IReadOnlyList<ForgeRunner> list = [.. _registrations.Values.Select(r => new ForgeRunner
            {
                Forge = Name, Id = r.Id, Name = r.Name, Online = true, Busy = r.Job is not null, FirstSeenAt = r.RegisteredAt,
            })];
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc/>
    public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken)
    {
        lock (_world.Sync)
        {
            if (_registrations.Values.FirstOrDefault(r => r.Id == forgeRunnerId) is { } registration)
            {
                Unregister(registration, _world.Time.GetUtcNow());
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>A failed job is queued again under a new id (<c>ID-rN</c>); one already re-run answers with that id.</remarks>
    public Task<JobRerunAnswer> RerunJobAsync(JobRerun rerun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rerun);
        lock (_world.Sync)
        {
            if (_rerunAs.TryGetValue(rerun.Job.Id, out var already))
            {
                return Task.FromResult(JobRerunAnswer.Queued(already, "already re-run"));
            }

            if (!_failed.Remove(rerun.Job.Id, out var job))
            {
                return Task.FromResult(JobRerunAnswer.NotYet($"job {rerun.Job.Id} has not failed"));
            }

            var now = _world.Time.GetUtcNow();
            var again = new DemoJob($"{job.Id}-r{rerun.Attempt}", now, job.Labels, job.Scope, job.Duration);
            _rerunAs[job.Id] = again.Id;
            _queued.Add(again);
            _backlog.Add(Event(again, JobEventKind.Queued, now));
            return Task.FromResult(JobRerunAnswer.Queued(again.Id, "queued again"));
        }
    }

    /// <summary>Queues a job now, besides the replayed load: it is reported queued at the next tick.</summary>
    internal JobKey Submit(IReadOnlyList<string> labels, TimeSpan duration, string? scope, DateTimeOffset now)
    {
        var job = new DemoJob($"{Name}-s{++_submitted}", now, labels, scope ?? $"{_config.Pools.FirstOrDefault(p => p.Forge == Name)?.Scope.Path ?? "example"}/app", duration);
        _queued.Add(job);
        _backlog.Add(Event(job, JobEventKind.Queued, now));
        return new JobKey(Name, job.Id);
    }

    /// <summary>Whether the runner named <paramref name="runnerName"/> is running a job.</summary>
    internal bool IsBusy(string runnerName) => _registrations.TryGetValue(runnerName, out var registration) && registration.Job is not null;

    /// <summary>
    /// The runner's instance was reclaimed under its job: the registration goes, and the forge fails the job (its
    /// completion is reported at the next tick), as GitHub and GitLab do once they lost contact with the runner.
    /// </summary>
    internal void RunnerLost(string runnerName, DateTimeOffset now)
    {
        if (!_registrations.Remove(runnerName, out var registration))
        {
            return;
        }

        if (registration.Job is { } job)
        {
            registration.Job = null;
            job.EndsAt = null;
            _failed[job.Id] = job;
            _backlog.Add(Event(job, JobEventKind.Completed, now));
        }
    }

    /// <summary>A booted instance registers its runner with the credential it was given; false when it does not match.</summary>
    internal bool Register(string runnerName, RunnerCredential credential, DateTimeOffset now)
    {
        if (!_minted.Remove(runnerName, out var minted) || minted.Secret != credential.Reveal() || _config.FindPool(minted.Pool) is not { } pool)
        {
            return false;
        }

        var labels = LabelRules.RunnerLabelsOf(pool, _forge.Kind);
        var id = (++_nextRegistration).ToString(CultureInfo.InvariantCulture);
        _registrations[runnerName] = new DemoRegistration(id, runnerName, pool.Name, labels, pool.RunUntagged, pool.Ephemeral, now);
        return true;
    }

    /// <summary>The instance behind a runner stopped: its registration goes too.</summary>
    internal void InstanceStopped(string runnerName, DateTimeOffset now)
    {
        if (_registrations.TryGetValue(runnerName, out var registration))
        {
            Unregister(registration, now);
        }
    }

    /// <summary>Advances the forge to <paramref name="now"/>: releases, assigns and completes jobs.</summary>
    internal void Tick(DateTimeOffset now, List<JobEvent> events)
    {
        events.AddRange(_backlog);
        _backlog.Clear();
        while (_pending.TryPeek(out var next) && next.ReleaseAt <= now)
        {
            _pending.Dequeue();
            _queued.Add(next);
            events.Add(Event(next, JobEventKind.Queued, now));
        }

        // A tick looks at every registration (10,000 in the scale benchmark): only those whose job ended are copied out,
        // and idle ones are put in order only while jobs wait.
        List<DemoRegistration>? ended = null;
        foreach (var registration in _registrations.Values)
        {
            if (registration.Job is { EndsAt: { } endsAt } && endsAt <= now)
            {
                (ended ??= []).Add(registration);
            }
        }

        foreach (var registration in ended ?? [])
        {
            if (registration.Job is { } job)
            {
                registration.Job = null;
                events.Add(Event(job, JobEventKind.Completed, now));
                if (registration.Ephemeral)
                {
                    _registrations.Remove(registration.Name);
                    _world.RunnerExited(registration.Name, now);
                }
            }
        }

        if (_queued.Count == 0)
        {
            return;
        }

        foreach (var registration in _registrations.Values.Where(r => r.Job is null).OrderBy(r => r.RegisteredAt))
        {
            if (FirstMatch(registration) is not { } job)
            {
                continue;
            }

            _queued.Remove(job);
            job.Runner = registration.Name;
            job.EndsAt = now + job.Duration;
            registration.Job = job;
            events.Add(Event(job, JobEventKind.Started, now));
        }
    }

    /// <summary>The first queued job <paramref name="registration"/>'s labels take, if any.</summary>
    private DemoJob? FirstMatch(DemoRegistration registration)
    {
        foreach (var job in _queued)
        {
            if (LabelRules.Matches(_forge.Kind, registration.Labels, registration.RunUntagged, job.Labels))
            {
                return job;
            }
        }

        return null;
    }

    private void Unregister(DemoRegistration registration, DateTimeOffset now)
    {
        _registrations.Remove(registration.Name);
        if (registration.Job is { } job)
        {
            // The runner went away mid-job: the forge fails the job, and a re-run queues it again.
            registration.Job = null;
            job.Runner = null;
            job.EndsAt = null;
            _queued.Insert(0, job);
        }

        _ = now;
    }

    private JobEvent Event(DemoJob job, JobEventKind kind, DateTimeOffset at) => new()
    {
        Key = new JobKey(Name, job.Id),
        Kind = kind,
        At = at,
        Labels = job.Labels,
        Scope = job.Scope,
        RunnerName = kind == JobEventKind.Started ? job.Runner : null,
        DeliveryId = $"{Name}-{job.Id}-{kind}",
    };

    private static IEnumerable<DemoJob> Replay(ForgeConfig forge, FleetConfig config, DemoOptions options, DateTimeOffset start)
    {
        var pools = config.Pools.Where(p => p.Forge == forge.Name).ToList();
        if (pools.Count == 0 || options.JobsPerHour <= 0)
        {
            return [];
        }

        var mix = FleetLabelMix.For(config, forge.Name, withScopes: false);
        var traceOptions = new SyntheticTraceOptions { Days = 7, Seed = options.Seed + forge.Name.Length, BaseJobsPerHour = options.JobsPerHour, LabelMix = mix };
        var trace = new SyntheticTraceGenerator(traceOptions).Generate();
        var from = traceOptions.Start + options.TraceOffset;
        var scopeRoot = pools[0].Scope.Path;
        return trace.Jobs
            .Where(j => j.QueuedAt >= from)
            .Select((j, i) => new DemoJob(
                $"{forge.Name}-{i + 1}",
                start + ((j.QueuedAt - from) / options.SpeedUp),
                j.Labels.Labels,
                $"{scopeRoot}/{j.Scope?.Split('/')[^1] ?? "app"}",
                TimeSpan.FromSeconds(j.DurationSeconds / options.SpeedUp)));
    }
}
