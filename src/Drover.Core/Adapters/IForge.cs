using Drover.Core.Planning;

namespace Drover.Core.Adapters;

/// <summary>
/// A CI forge (GitHub, GitLab, the demo world) as the executor sees it: it mints the credential a new runner
/// registers with, lists the runner registrations this controller owns and removes them.
/// </summary>
public interface IForge
{
    /// <summary>The forge's name in the fleet configuration.</summary>
    string Name { get; }

    /// <summary>
    /// Mints the single-use credential (GitHub JIT config, GitLab runner token) for <paramref name="runnerName"/>
    /// of <paramref name="pool"/>. The value is a secret: it is never logged, stored or returned by the API.
    /// </summary>
    Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken);

    /// <summary>The runner registrations this controller owns.</summary>
    Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken);

    /// <summary>Removes a registration; removing one that is already gone succeeds.</summary>
    Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken);
}
