using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// Resolves create intents a previous process left in Requested (it stopped between the intent and the
/// confirmation). The provider's list, matched by idempotency key, tells whether the create went through: if it
/// did, the runner moves on to Provisioning with the instance id; if not, the intent is withdrawn (Gone) and the
/// planner creates a fresh runner if one is still needed. When a provider cannot be listed its intents are kept and
/// returned, and the loop tries those again before each cycle until they are resolved (they would otherwise hold their
/// pool's slots as booting runners until <c>timeouts.requested</c>). A
/// withdrawn intent may have had its credential minted (a GitHub JIT configuration registers the runner at once): its
/// registration, found by the runner's name in the forge's list, is removed too, rather than left to the orphan grace.
/// </summary>
internal sealed class IntentReconciler
{
    private readonly Execution.ExecutionServices _services;

    /// <param name="services">Store, adapters, pipeline, clock and logs.</param>
    public IntentReconciler(Execution.ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>
    /// Reconciles every Requested runner, or only those named in <paramref name="only"/> (the intents a previous process
    /// left, kept by an earlier reconciliation: a runner this process is creating is Requested too and must not be
    /// withdrawn); returns the ids of the intents kept because their provider could not be listed.
    /// </summary>
    /// <param name="config">The fleet, to find each withdrawn runner's forge; null to leave registrations to the orphan rule.</param>
    /// <param name="only">The intents to reconcile; null: every Requested runner (at start-up).</param>
    /// <param name="cancellationToken">Stops the reconciliation.</param>
    public async Task<IReadOnlyList<string>> ReconcileAsync(Drover.Core.Config.FleetConfig? config, IReadOnlySet<string>? only, CancellationToken cancellationToken)
    {
        var s = _services;
        var intents = await s.Store.ListRunnersAsync(null, RunnerState.Requested, cancellationToken).ConfigureAwait(false);
        if (only is not null)
        {
            intents = [.. intents.Where(r => only.Contains(r.Id))];
        }

        if (intents.Count == 0)
        {
            return [];
        }

        var instancesByProvider = new Dictionary<string, IReadOnlyList<ProviderInstance>>(StringComparer.Ordinal);
        foreach (var providerName in intents.Select(r => r.Provider).Distinct(StringComparer.Ordinal))
        {
            if (s.Adapters.Provider(providerName) is not { } provider)
            {
                continue;
            }

            try
            {
                instancesByProvider[providerName] = await s.Calls.RunAsync(
                    $"provider {providerName}", provider.ListAsync, cancellationToken).ConfigureAwait(false);
                s.Metrics.ProviderCall(providerName, "list", null);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                s.Metrics.ProviderCall(providerName, "list", e);
                EngineLog.ListFailed(s.Logger, "provider", providerName, Execution.RunnerCreation.Describe(e));
            }
        }

        var now = s.Time.GetUtcNow();
        var transitions = s.Transitions;
        var withdrawn = new List<Runner>();
        await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                withdrawn.Clear();
                var resolved = 0;
                foreach (var runner in intents)
                {
                    if (!instancesByProvider.TryGetValue(runner.Provider, out var instances))
                    {
                        continue;
                    }

                    var instance = instances.FirstOrDefault(i => i.IdempotencyKey == runner.IdempotencyKey);
                    var (state, reason) = instance is null
                        ? (RunnerState.Gone, "start-up: no instance carries the intent's key; intent withdrawn")
                        : (RunnerState.Provisioning, $"start-up: instance {instance.InstanceId} carries the intent's key");
                    var next = await transitions.ApplyAsync(writer, runner, state, now, reason, ct, r => instance is null ? r : r with { InstanceId = instance.InstanceId }).ConfigureAwait(false);
                    if (next is null)
                    {
                        continue;
                    }

                    await writer.AppendEventAsync(new NewEvent(now, "engine", EventKinds.RunnerIntentReconciled, runner.Id, reason), ct).ConfigureAwait(false);
                    EngineLog.IntentReconciled(s.Logger, runner.Id, state.ToString(), reason);
                    if (instance is null)
                    {
                        withdrawn.Add(runner);
                    }

                    resolved++;
                }

                return resolved;
            },
            cancellationToken).ConfigureAwait(false);
        if (config is not null && withdrawn.Count > 0)
        {
            await UnregisterWithdrawnAsync(config, withdrawn, cancellationToken).ConfigureAwait(false);
        }

        return [.. intents.Where(r => !instancesByProvider.ContainsKey(r.Provider) && s.Adapters.Provider(r.Provider) is not null).Select(r => r.Id)];
    }

    /// <summary>Removes the forge registrations of withdrawn intents, found by runner name; a forge that cannot be listed is left to the orphan rule.</summary>
    private async Task UnregisterWithdrawnAsync(Drover.Core.Config.FleetConfig config, IReadOnlyList<Runner> withdrawn, CancellationToken cancellationToken)
    {
        var s = _services;
        foreach (var group in withdrawn.GroupBy(r => config.FindPool(r.Pool)?.Forge, StringComparer.Ordinal))
        {
            if (group.Key is null || s.Adapters.Forge(group.Key) is not { } forge)
            {
                continue;
            }

            IReadOnlyList<ForgeRunner> registrations;
            try
            {
                registrations = await s.Calls.RunAsync($"forge {forge.Name}", forge.ListRunnersAsync, cancellationToken).ConfigureAwait(false);
                s.Metrics.ForgeCall(forge.Name, "list-runners", null);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                s.Metrics.ForgeCall(forge.Name, "list-runners", e);
                EngineLog.ListFailed(s.Logger, "forge", forge.Name, Execution.RunnerCreation.Describe(e));
                continue;
            }

            var names = group.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var registration in registrations.Where(r => names.Contains(r.Name)))
            {
                string kind;
                string message;
                try
                {
                    await s.Calls.RunAsync($"forge {forge.Name}", ct => forge.UnregisterAsync(registration.Id, ct), cancellationToken).ConfigureAwait(false);
                    s.Metrics.ForgeCall(forge.Name, "unregister", null);
                    (kind, message) = (EventKinds.ForgeUnregisterSucceeded, "start-up: the intent was withdrawn; its credential had been minted");
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    s.Metrics.ForgeCall(forge.Name, "unregister", e);
                    (kind, message) = (EventKinds.ForgeUnregisterFailed, Execution.RunnerCreation.Describe(e));
                    EngineLog.CallFailed(s.Logger, registration.Name, "forge.unregister", $"forge {forge.Name}", message);
                }

                var at = s.Time.GetUtcNow();
                await s.Store.InTransactionAsync(
                    async (writer, ct) => await writer.AppendEventAsync(new NewEvent(at, "engine", kind, registration.Name, message), ct).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
