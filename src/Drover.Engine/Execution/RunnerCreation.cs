using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Logging;

namespace Drover.Engine.Execution;

/// <summary>
/// Creates one runner crash-safely: (1) the intent — runner Requested, ordinal raised, event — in one transaction;
/// (2) the forge credential and the provider call, outside any transaction, each waiting out a rate limit of a few
/// seconds rather than being held back unsent; a credential held back unsent by a longer one withdraws the intent
/// (Requested to Gone: nothing was made); (3) the outcome — Provisioning with the instance id, or Failed — with the
/// provider's breaker update and an event, in one transaction. A crash between
/// (1) and (3) leaves a Requested runner that <see cref="Loop.IntentReconciler"/> resolves on start-up. A failed
/// create call counts against the provider's breaker; an accepted one does not count for it — the runner registering
/// does (<see cref="ProviderHealth"/>). Several creates may run at once (<see cref="PlanExecutor"/>): each one's
/// outcome is folded into the provider's breaker as it is then (<see cref="PlanBreakers"/>).
/// </summary>
internal sealed class RunnerCreation
{
    /// <summary>
    /// The longest rate limit a create waits out: before its mint (a mint held back longer withdraws the intent) and its
    /// provider call (a call held back fails the runner unsent and lengthens its slot's retry backoff), and to look up
    /// the instance a failed create left.
    /// </summary>
    internal static readonly TimeSpan MaxRateLimitWait = TimeSpan.FromSeconds(5);

    /// <summary>The operation name of credential mints in the call policy (<see cref="CallPolicy.RateLimitedUntil(string, string?)"/>).</summary>
    internal const string CredentialOperation = "credential";

    private readonly ExecutionServices _services;
    private readonly ProviderHealth _health;

    /// <param name="services">Store, adapters, pipeline, clock, logs and metrics.</param>
    public RunnerCreation(ExecutionServices services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _health = new ProviderHealth(services);
    }

    /// <summary>
    /// Runs the three steps for <paramref name="create"/>, recording a failure in <paramref name="breakers"/>. A create
    /// whose credential call is held back unsent by a rate limit that began after it started (the forge's pacer found
    /// the endpoint's budget spent by the creates beside it, or a refusal paused the forge) withdraws its intent — the
    /// runner goes from Requested to Gone, nothing having been made anywhere — rather than failing a runner, which would
    /// cost a clean-up at the forge, a replacement and its slot's backoff; it returns when the hold ends (null otherwise),
    /// so the next plan makes it again then.
    /// </summary>
    public async Task<DateTimeOffset?> CreateAsync(CreateRunner create, PoolConfig pool, PlanBreakers breakers, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(breakers);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(pool);
        var s = _services;
        var now = s.Time.GetUtcNow();
        var runner = create.ToRequestedRunner(now);
        await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                await writer.SetNextOrdinalAsync(create.Pool, create.Ordinal + 1, ct).ConfigureAwait(false);
                await writer.UpsertRunnerAsync(runner, create.Reason, ct).ConfigureAwait(false);
                await writer.AppendEventAsync(new NewEvent(now, actor, EventKinds.RunnerCreateIntent, runner.Id, create.Reason), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        EngineLog.CreateRequested(s.Logger, runner.Id, runner.Pool, runner.Provider);

        var provider = s.Adapters.Provider(create.Provider);
        var forge = s.Adapters.Forge(pool.Forge);
        if (provider is null || forge is null)
        {
            var missing = provider is null ? $"provider '{create.Provider}'" : $"forge '{pool.Forge}'";
            await FailAsync(runner, breakers, countsForBreaker: false, "create", $"no adapter for {missing}", actor, cancellationToken).ConfigureAwait(false);
            return null;
        }

        string credentialRef;
        try
        {
            var credential = await CallAsync(
                $"forge {forge.Name}",
                CredentialOperation,
                ct => forge.MintRunnerCredentialAsync(pool.Name, runner.Id, ct),
                cancellationToken).ConfigureAwait(false);
            s.Metrics.ForgeCall(forge.Name, "credential", null);
            credentialRef = s.Vault.Put(runner.Id, credential);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && NotSentUntil(e) is { } until)
        {
            await WithdrawAsync(runner, $"forge {forge.Name}: credential held back by a rate limit until {until:u}, nothing sent; made again then", actor, cancellationToken).ConfigureAwait(false);
            return until;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            s.Metrics.ForgeCall(forge.Name, "credential", e);
            await FailAsync(runner, breakers, countsForBreaker: false, "credential", Describe(e), actor, cancellationToken).ConfigureAwait(false);
            return null;
        }

        string instanceId;
        try
        {
            var request = new InstanceRequest(pool.Name, runner.IdempotencyKey, pool.Template, credentialRef);
            instanceId = await CallAsync(
                $"provider {provider.Name}",
                null,
                ct => provider.CreateAsync(request, ct),
                cancellationToken).ConfigureAwait(false);
            s.Metrics.ProviderCall(provider.Name, "create", null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            s.Metrics.ProviderCall(provider.Name, "create", e);
            s.Vault.Remove(runner.Id);
            // Only an outage counts against the breaker: a configuration error, a rate limit or a refusal does not.
            var outage = CallFailures.Classify(e).Kind == CallFailureKind.Transient;
            var left = await InstanceLeftAsync(provider, runner, cancellationToken).ConfigureAwait(false);
            await FailAsync(runner, breakers, countsForBreaker: outage, "create", Describe(e), actor, cancellationToken, left).ConfigureAwait(false);
            return null;
        }

        var confirmedAt = s.Time.GetUtcNow();
        await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                await s.Transitions.ApplyAsync(writer, runner, RunnerState.Provisioning, confirmedAt, "provider confirmed the instance", ct, r => r with { InstanceId = instanceId }).ConfigureAwait(false);
                await writer.AppendEventAsync(new NewEvent(confirmedAt, actor, EventKinds.ProviderCreateSucceeded, runner.Id, $"instance {instanceId} at {provider.Name}"), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Withdraws the intent of a runner nothing was made for yet: Requested to Gone, with an event.</summary>
    private async Task WithdrawAsync(Runner runner, string reason, string actor, CancellationToken cancellationToken)
    {
        var s = _services;
        s.Vault.Remove(runner.Id);
        var now = s.Time.GetUtcNow();
        await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                await s.Transitions.ApplyAsync(writer, runner, RunnerState.Gone, now, $"intent withdrawn: {reason}", ct).ConfigureAwait(false);
                await writer.AppendEventAsync(new NewEvent(now, actor, EventKinds.ProviderCreateWithheld, runner.Id, reason), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After a failed create: the instance the provider finds under the runner's key, if any — the create carried out
    /// with its answer lost, or half done (a pod whose secret could not be stored). It is recorded with the failure, so
    /// the runner's deletion ends it before calling the runner deleted. Null when none is listed or the provider cannot
    /// be asked now (a rate limit longer than <see cref="MaxRateLimitWait"/>, an error); the runner's deletion then
    /// looks it up again.
    /// </summary>
    private async Task<string?> InstanceLeftAsync(IProvider provider, Runner runner, CancellationToken cancellationToken)
    {
        var s = _services;
        var target = $"provider {provider.Name}";
        try
        {
            await WaitOutShortRateLimitAsync(target, null, cancellationToken).ConfigureAwait(false);
            return await s.Calls.RunAsync(target, ct => provider.FindAsync(runner.IdempotencyKey, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> through the call policy after waiting out a short rate limit of
    /// <paramref name="target"/> (<see cref="WaitOutShortRateLimitAsync"/>); a call held back unsent by a short limit that
    /// a concurrent call met meanwhile (creates start together) waits that one out too, up to twice.
    /// </summary>
    private async Task<T> CallAsync<T>(string target, string? operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await WaitOutShortRateLimitAsync(target, operation, cancellationToken).ConfigureAwait(false);
            try
            {
                return await _services.Calls.RunAsync(target, operation, call, cancellationToken).ConfigureAwait(false);
            }
            catch (CallHeldBackException held) when (attempt < 3 && held.Until - _services.Time.GetUtcNow() <= MaxRateLimitWait)
            {
                // Not sent: nothing happened at the target, so going again is safe.
            }
        }
    }

    /// <summary>When a call that was held back without being sent could go out; null for any other failure.</summary>
    private static DateTimeOffset? NotSentUntil(Exception e) => e switch
    {
        CallHeldBackException held => held.Until,
        CallPacedException paced => paced.Until,
        _ => e.InnerException is { } inner ? NotSentUntil(inner) : null,
    };

    /// <summary>
    /// Waits until <paramref name="target"/>'s rate limit has passed when it ends within <see cref="MaxRateLimitWait"/>
    /// (a <c>Retry-After</c> of a second or two), so that the call goes out instead of being held back; a longer one is
    /// not waited for, and the call is held back and fails.
    /// </summary>
    private async Task WaitOutShortRateLimitAsync(string target, string? operation, CancellationToken cancellationToken)
    {
        var s = _services;
        if (s.Calls.RateLimitedUntil(target, operation) is { } until && until - s.Time.GetUtcNow() is var wait && wait > TimeSpan.Zero && wait <= MaxRateLimitWait)
        {
            await Task.Delay(wait, s.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FailAsync(Runner runner, PlanBreakers breakers, bool countsForBreaker, string operation, string reason, string actor, CancellationToken cancellationToken, string? instanceLeft = null)
    {
        var s = _services;
        var now = s.Time.GetUtcNow();
        var (before, next) = countsForBreaker
            ? breakers.Update(runner.Provider, b => CircuitBreaker.RecordFailure(b, now, s.BreakerOptions))
            : (breakers.Get(runner.Provider), breakers.Get(runner.Provider));
        var kind = operation == "credential" ? EventKinds.ForgeCredentialFailed : EventKinds.ProviderCreateFailed;
        EngineLog.CallFailed(s.Logger, runner.Id, operation, operation == "credential" ? "forge" : runner.Provider, reason);
        await s.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                await s.Transitions.ApplyAsync(writer, runner, RunnerState.Failed, now, $"{operation} failed: {reason}", ct, r => instanceLeft is null ? r : r with { InstanceId = instanceLeft }).ConfigureAwait(false);
                if (countsForBreaker)
                {
                    // The state as it is now: another create may have recorded its outcome since this one's.
                    await writer.SetBreakerAsync(runner.Provider, breakers.Get(runner.Provider), ct).ConfigureAwait(false);
                }

                await writer.AppendEventAsync(new NewEvent(now, actor, kind, runner.Id, instanceLeft is null ? reason : $"{reason}; instance {instanceLeft} was made nonetheless and is deleted with the runner"), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        _health.LogChange(runner.Provider, before, next, now);
    }

    /// <summary>An exception in words for events and logs: its type and message (adapters keep secrets out of messages).</summary>
    internal static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";
}
