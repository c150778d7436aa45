using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Planning;

namespace Drover.Engine.Tests.Fakes;

/// <summary>An in-memory forge: mints credentials, lets tests register runners and mark them busy, and re-runs jobs.</summary>
public sealed class FakeForge(string name, TimeProvider time) : IForge, IJobRerun
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ForgeRunner> _runners = new(StringComparer.Ordinal);

    public string Name => name;

    public List<string> Minted { get; } = [];

    /// <summary>Awaited before a mint answers (e.g. a call that hangs until the test lets it go); none when null.</summary>
    public Func<string, CancellationToken, Task>? BeforeMint { get; set; }

    /// <summary>Mints under way now.</summary>
    public int MintsInFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most mints that were under way at once.</summary>
    public int MaxMintsInFlight => Volatile.Read(ref _maxInFlight);

    private int _inFlight;
    private int _maxInFlight;

    public async Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            Minted.Add(runnerName);
            _maxInFlight = Math.Max(_maxInFlight, ++_inFlight);
        }

        try
        {
            if (BeforeMint is { } before)
            {
                await before(runnerName, cancellationToken);
            }
        }
        finally
        {
            lock (_sync)
            {
                _inFlight--;
            }
        }

        return new RunnerCredential("jit-config", "secret-for-" + runnerName);
    }

    /// <summary>The runner came up and registered (what a booted instance does).</summary>
    public void Register(string runnerName, bool busy = false)
    {
        lock (_sync)
        {
            _runners[runnerName] = new ForgeRunner { Forge = name, Id = "f-" + runnerName, Name = runnerName, Online = true, Busy = busy, FirstSeenAt = time.GetUtcNow() };
        }
    }

    /// <summary>The runner's registration vanished (an ephemeral runner exited).</summary>
    public void Remove(string runnerName)
    {
        lock (_sync)
        {
            _runners.Remove(runnerName);
        }
    }

    /// <summary>The re-runs asked for, in order.</summary>
    public List<JobKey> Reruns { get; } = [];

    /// <summary>Answers a re-run (throw from it to fail the call); by default the job is queued again as <c>ID-r</c>.</summary>
    public Func<JobRerun, JobRerunAnswer> RerunAnswer { get; set; } = r => JobRerunAnswer.Queued(r.Job.Id + "-r", "queued again");

    public Task<JobRerunAnswer> RerunJobAsync(JobRerun rerun, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            Reruns.Add(rerun.Job);
        }

        return Task.FromResult(RerunAnswer(rerun));
    }

    public int ListCalls { get; private set; }

    public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ListCalls++;
            return Task.FromResult<IReadOnlyList<ForgeRunner>>([.. _runners.Values]);
        }
    }

    /// <summary>Runs before every unregister; throw from it to fail the call.</summary>
    public Action<string>? BeforeUnregister { get; set; }

    public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken)
    {
        BeforeUnregister?.Invoke(forgeRunnerId);
        lock (_sync)
        {
            foreach (var key in _runners.Where(r => r.Value.Id == forgeRunnerId).Select(r => r.Key).ToList())
            {
                _runners.Remove(key);
            }
        }

        return Task.CompletedTask;
    }
}
