using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Engine.Health;
using Drover.Engine.Leadership;
using Drover.Engine.Loop;
using Drover.Server.Auth;
using Microsoft.Extensions.Hosting;

namespace Drover.Server.Hosting;

/// <summary>
/// Component health for <c>GET /api/v1/health</c>, <c>drover_component_up</c> and the dashboard: the store (probed
/// every <see cref="ProbeInterval"/> and at every health request), leadership, every provider and forge (from the
/// calls made to them; see <see cref="AdapterHealth"/>), and single sign-on's LDAP directory when there is one (a bind
/// as often as the store probe, and its lookups). Never calls an adapter.
/// </summary>
internal sealed class HealthMonitor(ControlLoop loop, LeaderElection election, StoreProbe store, TimeProvider time, LdapDirectory? directory = null) : BackgroundService
{
    /// <summary>How often the store is probed in the background (the gauge reads the last probe): 15 s.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(15);

    /// <summary>The store kind of a store location (<c>sqlite:PATH</c>, <c>postgres:…</c>), never the rest of it.</summary>
    public static string StoreName(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var colon = location.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? location[..colon].ToLowerInvariant() : "store";
    }

    /// <summary>Every component as last checked; cheap (what a scrape reads).</summary>
    public IReadOnlyList<ComponentHealth> Current()
    {
        var components = new List<ComponentHealth> { store.Health(), election.Health() };
        components.AddRange(loop.ReadAdapterHealth(UncheckedReason()));
        if (directory is not null)
        {
            components.Add(directory.Health());
        }

        return components;
    }

    /// <summary>Probes the store (and binds to the LDAP directory) now, then reports every component.</summary>
    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        await store.ProbeAsync(cancellationToken).ConfigureAwait(false);
        if (directory is not null)
        {
            await directory.ProbeAsync(cancellationToken).ConfigureAwait(false);
        }

        return HealthReport.Of(time.GetUtcNow(), Current());
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.ProbeAsync(stoppingToken).ConfigureAwait(false);
                if (directory is not null)
                {
                    await directory.ProbeAsync(stoppingToken).ConfigureAwait(false);
                }

                await Task.Delay(ProbeInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>On a follower the adapters are called by the leader, not by this replica: say so instead of "not checked yet".</summary>
    private string? UncheckedReason() => election.Role == LeaderRole.Follower
        ? $"not checked by this replica: it follows {election.Leader ?? "an unknown leader"}, which makes the calls"
        : null;
}
