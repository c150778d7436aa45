using Drover.Core.Config;
using Microsoft.Extensions.Logging;

namespace Drover.Core.Adapters;

/// <summary>What an adapter factory may use to build a provider or forge.</summary>
/// <param name="Fleet">The whole fleet configuration (pools name their forge and provider).</param>
/// <param name="Vault">Where minted runner credentials wait; providers resolve <c>CredentialRef</c>s here.</param>
/// <param name="Time">The clock.</param>
/// <param name="Logs">Loggers.</param>
public sealed record AdapterContext(FleetConfig Fleet, RunnerCredentialVault Vault, TimeProvider Time, ILoggerFactory Logs)
{
    /// <summary>The engine's instruments, for adapters that report their own gauges (e.g. a forge's rate-limit budget); null when not exported.</summary>
    public IAdapterMetrics? Metrics { get; init; }

    /// <summary>
    /// The state store, for adapters that keep their own progress with Drover's state (a scale-set listener's last
    /// acknowledged message, stored with the message itself); null when there is none (tools, tests).
    /// </summary>
    public Ports.IStateStore? Store { get; init; }

    /// <summary>
    /// Drover's data directory (the folder of a SQLite store, <c>.drover</c> under the working directory for
    /// PostgreSQL), where adapters keep state of their own across restarts; null when there is none (tests, tools).
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// The configuration in force now: <see cref="Fleet"/> until a reload replaces it. Adapters that look pools up
    /// while running (a forge minting a credential for a pool added by a reload) read this, not <see cref="Fleet"/>.
    /// </summary>
    public Func<FleetConfig> CurrentFleet
    {
        get => _currentFleet ?? (() => Fleet);
        init => _currentFleet = value;
    }

    /// <summary>
    /// The per-instance bootstrap tokens of this process (see <see cref="InstanceBootstrap"/>): providers whose
    /// instances fetch their own runner credential issue tokens here, and Drover's bootstrap endpoints redeem them.
    /// </summary>
    public InstanceBootstrap Bootstrap
    {
        get => _bootstrap ??= new InstanceBootstrap(Time);
        init => _bootstrap = value;
    }

    private readonly Func<FleetConfig>? _currentFleet;
    private InstanceBootstrap? _bootstrap;
}
