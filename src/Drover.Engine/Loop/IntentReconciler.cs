using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// Resolves create intents a previous process left in Requested (it stopped between the intent and the
/// confirmation). The provider's list, matched by idempotency key, tells whether the create went through: if it
/// did, the runner moves on to Provisioning with the instance id; if not, the intent is withdrawn (Gone) and the
/// planner creates a fresh runner if one is still needed. When a provider cannot be listed its intents are kept.
/// </summary>
internal sealed class IntentReconciler
{
    private readonly Execution.ExecutionServices _services;

    /// <param name="services">Store, adapters, pipeline, clock and logs.</param>
    public IntentReconciler(Execution.ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>Reconciles every Requested runner; returns how many were resolved.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var s = _services;
        var intents = await s.Store.ListRunnersAsync(null, RunnerState.Requested, cancellationToken).ConfigureAwait(false);
        if (intents.Count == 0)
        {
            return 0;
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
                s.Metrics.ProviderCall(providerName, "success");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                s.Metrics.ProviderCall(providerName, "failure");
                EngineLog.ListFailed(s.Logger, "provider", providerName, Execution.RunnerCreation.Describe(e));
            }
        }

        var now = s.Time.GetUtcNow();
        var transitions = s.Transitions;
        return await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
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
                    resolved++;
                }

                return resolved;
            },
            cancellationToken).ConfigureAwait(false);
    }
}
