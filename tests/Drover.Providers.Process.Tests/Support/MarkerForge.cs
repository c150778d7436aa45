using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Planning;

namespace Drover.Providers.Process.Tests.Support;

/// <summary>
/// A forge whose runners register the way a real runner does, from inside its process: a runner is registered (online
/// and busy) while its process runs and its work directory holds the file <c>registered</c>, which the test command
/// writes from the credential it was given. Minted credentials are remembered so tests can look for leaks. Re-runs are
/// recorded and answered with a new job id.
/// </summary>
internal sealed class MarkerForge(string name, ProcessProvider provider, string workRoot, TimeProvider time) : IForge, IJobRerun
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, string> _minted = new(StringComparer.Ordinal);

    public string Name => name;

    public IReadOnlyDictionary<string, string> Minted
    {
        get
        {
            lock (_sync)
            {
                return new Dictionary<string, string>(_minted, StringComparer.Ordinal);
            }
        }
    }

    public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
    {
        var secret = $"jit-{Guid.NewGuid():N}";
        lock (_sync)
        {
            _minted[runnerName] = secret;
        }

        return Task.FromResult(new RunnerCredential("jit-config", secret));
    }

    public async Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
    {
        var live = await provider.ListAsync(cancellationToken);
        return [.. live
            .Where(i => i.Failure is null && File.Exists(Path.Combine(workRoot, i.InstanceId, "registered")))
            .Select(i => new ForgeRunner { Forge = name, Id = "f-" + i.InstanceId, Name = i.InstanceId, Online = true, Busy = true, FirstSeenAt = time.GetUtcNow() })];
    }

    public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The jobs whose re-run was asked for, in order.</summary>
    public List<JobKey> Reruns { get; } = [];

    public Task<JobRerunAnswer> RerunJobAsync(JobRerun rerun, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            Reruns.Add(rerun.Job);
        }

        return Task.FromResult(JobRerunAnswer.Queued(rerun.Job.Id + "-r", "queued again"));
    }
}
