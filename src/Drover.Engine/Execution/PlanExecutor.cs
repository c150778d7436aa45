using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Engine.Logging;

namespace Drover.Engine.Execution;

/// <summary>
/// Carries out a plan's actions against the providers and forges, writing every outcome to the store and the event
/// log and keeping each provider's circuit breaker up to date. Creates run concurrently, up to each provider's
/// <see cref="ProviderConfig.MaxConcurrentCreates"/>, started in plan order, so one slow or hanging call holds up only
/// its own runner; the other actions run one by one meanwhile. Never two creates for one plan item: a create is keyed
/// by its idempotency key from the intent on. A create whose forge (the credential) or provider is held back by a rate
/// limit longer than a create waits out (<see cref="RunnerCreation.MaxRateLimitWait"/>) is not started — it would fail
/// at once and push its slot into retry backoff — but left for the next plan; <see cref="HeldBackUntil"/> says when the
/// limit ends, so the loop plans again then.
/// </summary>
internal sealed class PlanExecutor
{
    private readonly ExecutionServices _services;
    private readonly RunnerCreation _creation;
    private readonly RunnerDeletion _deletion;
    private readonly ProviderHealth _health;
    private readonly Lock _heldBack = new();
    private readonly Dictionary<string, (int Count, DateTimeOffset Until)> _heldBackBy = new(StringComparer.Ordinal);

    /// <param name="services">Store, adapters, pipeline, clock, logs and metrics.</param>
    public PlanExecutor(ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _creation = new RunnerCreation(services);
        _deletion = new RunnerDeletion(services);
        _health = new ProviderHealth(services);
    }

    /// <summary>
    /// How long before a hold ends the next plan is due: its creates then start within the wait a create takes
    /// (<see cref="RunnerCreation.MaxRateLimitWait"/>) and go out the moment the hold ends, the cycle's observation and
    /// planning done beforehand, so no time of the forge's next window is lost.
    /// </summary>
    internal static readonly TimeSpan PlanLead = TimeSpan.FromSeconds(3);

    /// <summary>
    /// When the creates a rate limit held back in the last <see cref="ExecuteAsync"/> are due to be planned again:
    /// <see cref="PlanLead"/> before the hold ends (the earliest, when several did); null when none was held back.
    /// </summary>
    public DateTimeOffset? HeldBackUntil { get; private set; }

    /// <summary>
    /// Executes <paramref name="actions"/>; returns the breakers after every create's outcome was recorded.
    /// Cancellation stops between (or inside) calls and leaves any intent for start-up reconciliation.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, CircuitBreakerState>> ExecuteAsync(
        IReadOnlyList<PlanAction> actions,
        FleetConfig config,
        IReadOnlyDictionary<string, CircuitBreakerState> breakers,
        string actor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(config);
        var book = new PlanBreakers(breakers);
        HeldBackUntil = null;
        _heldBackBy.Clear();
        var slots = new Dictionary<string, SemaphoreSlim>(StringComparer.Ordinal);
        var creates = new List<Task>();
        try
        {
            foreach (var action in actions)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (action)
                {
                    case CreateRunner create when config.FindPool(create.Pool) is { } pool:
                        if (!slots.TryGetValue(create.Provider, out var slot))
                        {
                            var limit = config.FindProvider(create.Provider)?.MaxConcurrentCreates ?? ProviderConfig.DefaultMaxConcurrentCreates;
                            slots[create.Provider] = slot = new SemaphoreSlim(limit, limit);
                        }

                        creates.Add(CreateWhenFreeAsync(create, pool, slot, book, actor, cancellationToken));
                        break;
                    case DeleteRunner delete:
                        var deleted = await _deletion.DeleteAsync(delete, config.FindPool(delete.Pool)?.Forge, actor, cancellationToken).ConfigureAwait(false);
                        if (delete.Cause == DeleteCause.BootTimeout && deleted is { InstanceId: not null })
                        {
                            // The provider accepted the instance, but it never became a runner.
                            book.Set(await _health.RecordAsync([(deleted.Provider, false)], book.Snapshot(), cancellationToken).ConfigureAwait(false));
                        }

                        break;
                    case UnregisterForgeRunner unregister:
                        await UnregisterAsync(unregister, actor, cancellationToken).ConfigureAwait(false);
                        break;
                    case DeleteInstance deleteInstance:
                        await DeleteInstanceAsync(deleteInstance, actor, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
        }
        finally
        {
            // Every create started is waited for, even when an action failed: none is left running past the plan.
            await Task.WhenAll(creates.Select(c => c.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))).ConfigureAwait(false);
            foreach (var slot in slots.Values)
            {
                slot.Dispose();
            }
        }

        await Task.WhenAll(creates).ConfigureAwait(false);
        foreach (var (target, (count, until)) in _heldBackBy)
        {
            EngineLog.CreatesHeldBack(_services.Logger, count, target, until);
            var due = until - PlanLead;
            HeldBackUntil = HeldBackUntil is { } earliest && earliest < due ? earliest : due;
        }

        await StoreBreakersAsync(book, cancellationToken).ConfigureAwait(false);
        return book.Snapshot();
    }

    /// <summary>
    /// Waits for a free create slot of the provider, then creates — unless the provider's breaker opened meanwhile,
    /// when the create waits for the next plan.
    /// </summary>
    private async Task CreateWhenFreeAsync(CreateRunner create, PoolConfig pool, SemaphoreSlim slot, PlanBreakers book, string actor, CancellationToken cancellationToken)
    {
        await slot.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (CircuitBreaker.AllowedCreates(book.Get(create.Provider), _services.Time.GetUtcNow(), _services.BreakerOptions) == 0)
            {
                // The breaker opened during this plan: the remaining creates wait for the next plan.
                await RecordAsync(EventKinds.ProviderCreateWithheld, create.IdempotencyKey, $"circuit breaker of {create.Provider} is open", actor, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (HeldBack(create, pool))
            {
                return;
            }

            if (await _creation.CreateAsync(create, pool, book, actor, cancellationToken).ConfigureAwait(false) is { } heldUntil)
            {
                // Withdrawn: its credential was held back after it started. The next plan makes it when the hold ends.
                NoteHeldBack($"forge {pool.Forge}", heldUntil);
            }
        }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>
    /// True when the forge that mints the runner's credential (the whole forge, or its credential endpoint's budget at
    /// the forge's pacer) or the provider that makes its instance is held back by a rate limit now, for longer than a
    /// create waits out: the create is noted (<see cref="HeldBackUntil"/>) and not
    /// started. No intent is written, so the next plan makes the same create under the same key.
    /// </summary>
    private bool HeldBack(CreateRunner create, PoolConfig pool)
    {
        foreach (var (target, operation) in (ReadOnlySpan<(string, string?)>)[($"forge {pool.Forge}", RunnerCreation.CredentialOperation), ($"provider {create.Provider}", null)])
        {
            if (_services.Calls.RateLimitedUntil(target, operation) is { } until && until - _services.Time.GetUtcNow() > RunnerCreation.MaxRateLimitWait)
            {
                NoteHeldBack(target, until);
                return true;
            }
        }

        return false;
    }

    private void NoteHeldBack(string target, DateTimeOffset until)
    {
        lock (_heldBack)
        {
            var (count, _) = _heldBackBy.GetValueOrDefault(target);
            _heldBackBy[target] = (count + 1, until);
        }
    }

    /// <summary>
    /// Writes the breakers that changed during the plan as they ended: concurrent creates each wrote the state as they
    /// saw it, and on a store without serialised writers the last to commit need not have seen the last outcome.
    /// </summary>
    private async Task StoreBreakersAsync(PlanBreakers book, CancellationToken cancellationToken)
    {
        var changed = book.Changed();
        if (changed.Count == 0)
        {
            return;
        }

        await _services.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                foreach (var (provider, state) in changed)
                {
                    await writer.SetBreakerAsync(provider, state, ct).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task UnregisterAsync(UnregisterForgeRunner unregister, string actor, CancellationToken cancellationToken)
    {
        if (_services.Adapters.Forge(unregister.Forge) is not { } forge)
        {
            EngineLog.MissingAdapter(_services.Logger, "forge", unregister.Forge, unregister.Name);
            return;
        }

        _services.Metrics.OrphanFound("forge-runner", forge.Name);
        await CallAndRecordAsync(
            $"forge {forge.Name}",
            ct => forge.UnregisterAsync(unregister.ForgeRunnerId, ct),
            error => _services.Metrics.ForgeCall(forge.Name, "unregister", error),
            "forge.unregister",
            EventKinds.ForgeUnregisterSucceeded,
            EventKinds.ForgeUnregisterFailed,
            unregister.Name,
            unregister.Reason,
            actor,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteInstanceAsync(DeleteInstance deleteInstance, string actor, CancellationToken cancellationToken)
    {
        if (_services.Adapters.Provider(deleteInstance.Provider) is not { } provider)
        {
            EngineLog.MissingAdapter(_services.Logger, "provider", deleteInstance.Provider, deleteInstance.InstanceId);
            return;
        }

        _services.Metrics.OrphanFound("instance", provider.Name);
        await CallAndRecordAsync(
            $"provider {provider.Name}",
            ct => provider.DeleteAsync(deleteInstance.InstanceId, ct),
            error => _services.Metrics.ProviderCall(provider.Name, "delete", error),
            "provider.delete-instance",
            EventKinds.ProviderDeleteInstanceSucceeded,
            EventKinds.ProviderDeleteInstanceFailed,
            deleteInstance.InstanceId,
            deleteInstance.Reason,
            actor,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task CallAndRecordAsync(string target, Func<CancellationToken, Task> call, Action<Exception?> count, string operation, string succeededKind, string failedKind, string subject, string reason, string actor, CancellationToken cancellationToken)
    {
        string outcome;
        string message;
        Exception? failure = null;
        try
        {
            await _services.Calls.RunAsync(target, call, cancellationToken).ConfigureAwait(false);
            outcome = "succeeded";
            message = reason;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && CallFailures.Classify(e).Kind == CallFailureKind.NotFound)
        {
            // Deleting what is already gone is done.
            outcome = "succeeded";
            message = $"{reason} (already gone)";
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = "failed";
            failure = e;
            message = RunnerCreation.Describe(e);
            EngineLog.CallFailed(_services.Logger, subject, operation, target, message);
        }

        count(failure);
        await RecordAsync(outcome == "succeeded" ? succeededKind : failedKind, subject, message, actor, cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordAsync(string kind, string subject, string message, string actor, CancellationToken cancellationToken)
    {
        var now = _services.Time.GetUtcNow();
        await _services.Store.InTransactionAsync(
            async (writer, ct) => await writer.AppendEventAsync(new NewEvent(now, actor, kind, subject, message), ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }
}
