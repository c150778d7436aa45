using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Execution;

namespace Drover.Engine.Loop;

/// <summary>
/// Operator requests (drain a pool, delete a runner): stored with their audit event in one transaction, so they
/// survive restarts and leader changes, and carried out by whichever replica leads.
/// </summary>
internal sealed class OperatorRequests(IStateStore store, PlanExecutor executor)
{
    /// <summary>Stores <paramref name="request"/> together with <paramref name="audit"/>.</summary>
    public Task SubmitAsync(AdminRequest request, NewEvent audit, CancellationToken cancellationToken) =>
        store.InTransactionAsync(
            async (writer, ct) =>
            {
                await writer.PutAdminRequestAsync(request, ct).ConfigureAwait(false);
                await writer.AppendEventAsync(audit, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Removes a request with its audit event; false when there was none.</summary>
    public Task<bool> WithdrawAsync(AdminRequestKind kind, string target, NewEvent audit, CancellationToken cancellationToken) =>
        store.InTransactionAsync(
            async (writer, ct) =>
            {
                if (!await writer.RemoveAdminRequestAsync(kind, target, ct).ConfigureAwait(false))
                {
                    return false;
                }

                await writer.AppendEventAsync(audit, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Carries out every runner-delete request of <paramref name="requests"/>; returns the breakers after them.</summary>
    public async Task<IReadOnlyDictionary<string, CircuitBreakerState>> DeleteRequestedAsync(
        IReadOnlyList<AdminRequest> requests, FleetConfig config, IReadOnlyDictionary<string, CircuitBreakerState> breakers, CancellationToken cancellationToken)
    {
        foreach (var request in requests.Where(r => r.Kind == AdminRequestKind.DeleteRunner))
        {
            if (await store.GetRunnerAsync(request.Target, cancellationToken).ConfigureAwait(false) is { State: not RunnerState.Gone } runner)
            {
                var delete = new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Stuck, $"deleted on request of {request.Actor}: {request.Reason}");
                breakers = await executor.ExecuteAsync([delete], config, breakers, request.Actor, cancellationToken).ConfigureAwait(false);
            }

            await store.InTransactionAsync((writer, ct) => writer.RemoveAdminRequestAsync(request.Kind, request.Target, ct), cancellationToken).ConfigureAwait(false);
        }

        return breakers;
    }

    /// <summary>The pools of <paramref name="config"/> an operator has drained.</summary>
    public static HashSet<string> DrainedPools(FleetConfig config, IReadOnlyList<AdminRequest> requests) =>
        requests.Where(r => r.Kind == AdminRequestKind.Drain && config.FindPool(r.Target) is not null).Select(r => r.Target).ToHashSet(StringComparer.Ordinal);

    /// <summary><paramref name="config"/> without its drained pools: what is planned.</summary>
    public static FleetConfig Effective(FleetConfig config, IReadOnlySet<string> drained) =>
        drained.Count == 0 ? config : config with { Pools = [.. config.Pools.Where(p => !drained.Contains(p.Name))] };
}
