using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Engine.Loop;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>
/// The one way the running configuration is replaced, used by <c>POST /api/v1/reload</c> and by the config file
/// watcher: re-load it, apply a valid one to the control loop, refuse an invalid one or one that changes a provider or
/// forge (see <see cref="ReloadRules"/>), keeping the running one, and append the outcome to the event log. Reloads
/// never overlap.
/// </summary>
internal sealed class ConfigReloader(ControlLoop loop, IStateStore store, TimeProvider time, Func<ConfigLoadResult> loadConfig, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Loads and applies the configuration. The event is <paramref name="appliedKind"/> on success and
    /// <paramref name="rejectedKind"/> when the configuration is invalid (both from <see cref="EventKinds"/>);
    /// <paramref name="reason"/>, if any, is its message on success. Returns what was loaded: a config when applied,
    /// else every problem.
    /// </summary>
    public async Task<ConfigLoadResult> ReloadAsync(string actor, string appliedKind, string rejectedKind, string? reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var loaded = loadConfig();
            if (loaded.IsValid && ReloadRules.AdapterChanges(loop.Snapshot.Config, loaded) is { Count: > 0 } refusals)
            {
                loaded = loaded with { Errors = refusals };
            }

            NewEvent entry;
            if (loaded.Config is { } config && loaded.IsValid)
            {
                loop.Reload(config);
                HostingLog.ConfigReloaded(logger, actor, config.Pools.Count);
                entry = new NewEvent(time.GetUtcNow(), actor, appliedKind, "config", reason ?? $"reloaded: {config.Pools.Count} pools");
            }
            else
            {
                foreach (var error in loaded.Errors)
                {
                    HostingLog.ConfigReloadRefused(logger, actor, error.ToString());
                }

                var problems = loaded.Errors.Select(e => e.ToString()).ToList();
                var first = problems.Count > 0 ? problems[0] : "no configuration";
                entry = new NewEvent(
                    time.GetUtcNow(),
                    actor,
                    rejectedKind,
                    "config",
                    $"configuration invalid ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}); the running one is kept: {first}",
                    JsonSerializer.Serialize(problems));
            }

            await store.InTransactionAsync(
                async (writer, token) => await writer.AppendEventAsync(entry, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
