using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Logging;

namespace Drover.Engine.Execution;

/// <summary>
/// Deletes a runner in the same intent-first pattern as creation: Draining (with an event) first, then the forge's
/// unregister and the provider's delete (not when the forge says the runner is running a job), then Gone. A registration
/// or instance not recorded with the runner is looked up (by name at the forge, by idempotency key at the provider), so
/// <c>runner.delete.succeeded</c> means both are gone. A failed call leaves the runner Draining; the planner
/// issues the delete again after the draining timeout. <c>runner.delete.succeeded</c> is written once per runner: a
/// second delete of a runner whose delete is still in flight in this process does nothing, and a delete that finds the
/// runner already Gone when it finishes (another replica's delete won) records no second success.
/// </summary>
internal sealed class RunnerDeletion
{
    private readonly ExecutionServices _services;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _inFlight = new(StringComparer.Ordinal);

    /// <param name="services">Store, adapters, pipeline, clock, logs and metrics.</param>
    public RunnerDeletion(ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>
    /// Deletes the runner <paramref name="delete"/> names; unknown or gone runners are skipped. Returns the runner as it
    /// was before (null when skipped).
    /// </summary>
    public async Task<Runner?> DeleteAsync(DeleteRunner delete, string? forgeName, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delete);
        if (!_inFlight.TryAdd(delete.RunnerId, true))
        {
            // The same runner's delete is under way: it writes the outcome, once.
            EngineLog.DeleteAlreadyUnderWay(_services.Logger, delete.RunnerId);
            return null;
        }

        try
        {
            return await DeleteCoreAsync(delete, forgeName, actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(delete.RunnerId, out _);
        }
    }

    private async Task<Runner?> DeleteCoreAsync(DeleteRunner delete, string? forgeName, string actor, CancellationToken cancellationToken)
    {
        var s = _services;
        var now = s.Time.GetUtcNow();
        var (before, runner) = await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                var current = await writer.GetRunnerAsync(delete.RunnerId, ct).ConfigureAwait(false);
                if (current is null || current.State == RunnerState.Gone)
                {
                    return (null, null);
                }

                var draining = await s.Transitions.ApplyAsync(writer, current, RunnerState.Draining, now, delete.Reason, ct).ConfigureAwait(false);
                if (draining is not null)
                {
                    await writer.AppendEventAsync(new NewEvent(now, actor, EventKinds.RunnerDeleteIntent, current.Id, delete.Reason), ct).ConfigureAwait(false);
                }

                return ((Runner?)current, draining);
            },
            cancellationToken).ConfigureAwait(false);
        if (runner is null)
        {
            return before;
        }

        var failures = new List<string>();
        var forgeBusy = false;
        if (forgeName is not null && s.Adapters.Forge(forgeName) is { } forge)
        {
            // The registration goes first: a runner that is no longer registered cannot take a job, and a forge that
            // refuses because the runner is running one (GitHub answers 422) keeps its instance from being ended under
            // the job. A runner deleted before its registration was seen may still be registered (a JIT configuration
            // registers it when minted): it is looked up by name, so "registration removed" is true.
            var forgeRunnerId = runner.ForgeRunnerId ?? await FindRegistrationAsync(forge, runner.Id, failures, cancellationToken).ConfigureAwait(false);
            if (forgeRunnerId is not null)
            {
                forgeBusy = await CallAsync(ct => forge.UnregisterAsync(forgeRunnerId, ct), error => s.Metrics.ForgeCall(forge.Name, "unregister", error), $"forge {forge.Name}", failures, cancellationToken).ConfigureAwait(false) == CallFailureKind.Busy;
            }
        }

        if (forgeBusy)
        {
            failures.Add($"runner {runner.Id} is running a job; its instance is left running and the delete is tried again later");
        }
        else if (failures.Count > 0)
        {
            // The registration could not be removed (nor looked up): a runner still registered may take a job at any
            // moment, so its instance is not ended on a guess; the delete is tried again later.
            failures.Add($"the instance of runner {runner.Id} is left running until its registration is removed");
        }
        else if (s.Adapters.Provider(runner.Provider) is { } provider)
        {
            // A runner without a recorded instance may still have one: a create carried out with its answer lost, or
            // half done (a pod whose secret could not be stored), when the provider could not be asked at the failure.
            // It is looked up under the runner's key, so "instance deleted" is true.
            var instanceId = runner.InstanceId ?? await FindInstanceAsync(provider, runner, failures, cancellationToken).ConfigureAwait(false);
            if (instanceId is not null)
            {
                await CallAsync(ct => provider.DeleteAsync(instanceId, ct), error => s.Metrics.ProviderCall(provider.Name, "delete", error), $"provider {provider.Name}", failures, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (runner.InstanceId is not null)
        {
            failures.Add($"no adapter for provider '{runner.Provider}'");
        }

        var doneAt = s.Time.GetUtcNow();
        var recorded = await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                // Read again: another replica's delete of the same runner may have finished meanwhile.
                var latest = await writer.GetRunnerAsync(runner.Id, ct).ConfigureAwait(false);
                if (latest is null || latest.State == RunnerState.Gone)
                {
                    return false;
                }

                if (failures.Count == 0)
                {
                    await s.Transitions.ApplyAsync(writer, latest, RunnerState.Gone, doneAt, "instance deleted and registration removed", ct).ConfigureAwait(false);
                    await writer.AppendEventAsync(new NewEvent(doneAt, actor, EventKinds.RunnerDeleteSucceeded, runner.Id, delete.Reason), ct).ConfigureAwait(false);
                }
                else
                {
                    await writer.AppendEventAsync(new NewEvent(doneAt, actor, EventKinds.RunnerDeleteFailed, runner.Id, string.Join("; ", failures)), ct).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
        if (!recorded)
        {
            EngineLog.DeleteAlreadyDone(s.Logger, runner.Id);
        }
        else if (failures.Count == 0)
        {
            EngineLog.RunnerDeleted(s.Logger, runner.Id, delete.Cause.ToString());
        }
        else
        {
            EngineLog.CallFailed(s.Logger, runner.Id, "delete", runner.Provider, string.Join("; ", failures));
        }

        return before;
    }

    /// <summary>The id of the registration named <paramref name="runnerName"/>, or null when there is none (or the list failed, recorded in <paramref name="failures"/>).</summary>
    private async Task<string?> FindRegistrationAsync(IForge forge, string runnerName, List<string> failures, CancellationToken cancellationToken)
    {
        try
        {
            var registrations = await _services.Calls.RunAsync($"forge {forge.Name}", forge.ListRunnersAsync, cancellationToken).ConfigureAwait(false);
            _services.Metrics.ForgeCall(forge.Name, "list-runners", null);
            return registrations.FirstOrDefault(r => r.Name == runnerName)?.Id;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _services.Metrics.ForgeCall(forge.Name, "list-runners", e);
            failures.Add($"forge {forge.Name}: registration of {runnerName} could not be looked up: {RunnerCreation.Describe(e)}");
            return null;
        }
    }

    /// <summary>
    /// The id of the instance the provider finds under <paramref name="runner"/>'s idempotency key, or null when there is
    /// none (or the list failed, recorded in <paramref name="failures"/>: the delete is then tried again later).
    /// </summary>
    private async Task<string?> FindInstanceAsync(IProvider provider, Runner runner, List<string> failures, CancellationToken cancellationToken)
    {
        try
        {
            var instanceId = await _services.Calls.RunAsync($"provider {provider.Name}", ct => provider.FindAsync(runner.IdempotencyKey, ct), cancellationToken).ConfigureAwait(false);
            _services.Metrics.ProviderCall(provider.Name, "find", null);
            return instanceId;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _services.Metrics.ProviderCall(provider.Name, "find", e);
            failures.Add($"provider {provider.Name}: instance of {runner.Id} could not be looked up: {RunnerCreation.Describe(e)}; the runner is not reported deleted until it is");
            return null;
        }
    }

    /// <summary>Runs one delete or unregister call; null when it succeeded (or the target was already gone), else how it failed.</summary>
    private async Task<CallFailureKind?> CallAsync(Func<CancellationToken, Task> call, Action<Exception?> count, string target, List<string> failures, CancellationToken cancellationToken)
    {
        try
        {
            await _services.Calls.RunAsync(target, call, cancellationToken).ConfigureAwait(false);
            count(null);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && CallFailures.Classify(e).Kind == CallFailureKind.NotFound)
        {
            // Already gone at the provider or the forge: the delete's work there is done.
            count(null);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            count(e);
            failures.Add($"{target}: {RunnerCreation.Describe(e)}");
            return CallFailures.Classify(e).Kind;
        }
    }
}
