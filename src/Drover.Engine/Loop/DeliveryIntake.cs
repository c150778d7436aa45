using System.Globalization;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// Turns stored webhook deliveries into job events at the start of a cycle. What it decides about each delivery is
/// written in the same transaction as the jobs it changed, so both are stored or neither (and then it is processed
/// again; the ledger ignores a repeat).
/// <list type="bullet">
/// <item>Interpreted: marked processed.</item>
/// <item>Unreadable (the forge's reader says <see cref="FormatException"/>, or the JSON is broken): quarantined at once
/// with the reason; reading it again would give the same answer.</item>
/// <item>Failed for another reason: tried again after <see cref="ControlLoopOptions.DeliveryRetryDelay"/>, doubling
/// with each failure up to <see cref="MaxRetryDelay"/>; after <see cref="ControlLoopOptions.DeliveryAttempts"/>
/// failures it is quarantined — unless every failure so far was a forge call the delivery needed that failed in
/// passing (a timeout, a 5xx, a rate limit): an outage of the forge says nothing about the delivery, so such a one is
/// quarantined only once it is older than <see cref="OutageLimit"/>.</item>
/// </list>
/// A quarantined delivery is never tried again (unless an operator requeues it), gets a
/// <see cref="EventKinds.WebhookDeliveryQuarantined"/> event and is kept <see cref="QuarantineRetention"/>. Deliveries
/// waiting out a retry delay are not listed, and new ones are listed before retried ones, so failing deliveries
/// neither fill a batch nor make the loop run again at once.
/// </summary>
internal sealed class DeliveryIntake(ExecutionServices services, ControlLoopOptions options)
{
    /// <summary>At most this many deliveries are taken per cycle; the rest wait for the next one, which comes at once.</summary>
    public const int BatchSize = 500;

    /// <summary>The longest wait between two attempts at a delivery whose interpretation failed.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a delivery whose interpretation fails only because a forge call it needs fails in passing is tried
    /// (at most every <see cref="MaxRetryDelay"/>) before it is quarantined.
    /// </summary>
    public static readonly TimeSpan OutageLimit = TimeSpan.FromHours(24);

    /// <summary>The longest failure reason kept, in characters.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>
    /// How long a processed delivery is kept: a forge's redelivery of the same id within this time is answered as a
    /// duplicate without being stored again. Later ones are stored and reprocessed; the ledger ignores the repeat.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a quarantined delivery is kept for an operator to look at (<c>GET /api/v1/deliveries?state=quarantined</c>)
    /// or requeue; a redelivery of the same id in that time is answered as a duplicate.
    /// </summary>
    public static readonly TimeSpan QuarantineRetention = TimeSpan.FromDays(7);

    /// <summary>Interprets the deliveries due at <paramref name="now"/> into <paramref name="sink"/>; returns what to write about them.</summary>
    public async Task<DeliveryOutcomes> CollectAsync(Action<JobEvent> sink, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var waiting = await services.Store.ListUnprocessedDeliveriesAsync(BatchSize, now, cancellationToken).ConfigureAwait(false);
        var outcomes = new DeliveryOutcomes(now, waiting.Count == BatchSize, options.Actor);
        foreach (var delivery in waiting)
        {
            if (services.Adapters.Forge(delivery.Forge) is not IWebhookReceiver receiver)
            {
                services.Metrics.WebhookDelivery(delivery.Forge, "ignored");
                outcomes.Done.Add(delivery);
                continue;
            }

            try
            {
                var events = await receiver.InterpretAsync(delivery, cancellationToken).ConfigureAwait(false);
                foreach (var e in events)
                {
                    // Drover knew of the job when the delivery arrived, not when the leader got to it.
                    sink(e.ReceivedAt is null ? e with { ReceivedAt = delivery.ReceivedAt } : e);
                }

                services.Metrics.WebhookDelivery(delivery.Forge, events.Count > 0 ? "processed" : "ignored");
                outcomes.Done.Add(delivery);
            }
            catch (Exception e) when (e is FormatException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                var reason = Reason("unreadable", e);
                EngineLog.DeliveryUnreadable(services.Logger, delivery.Forge, delivery.DeliveryId, reason);
                services.Metrics.WebhookDelivery(delivery.Forge, "unreadable");
                services.Metrics.WebhookDeliveryQuarantined(delivery.Forge, "unreadable");
                outcomes.Quarantined.Add((delivery, reason));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var attempts = delivery.Attempts + 1;
                var reason = Reason(string.Create(CultureInfo.InvariantCulture, $"attempt {attempts} of {options.DeliveryAttempts} failed"), e);
                if (attempts >= options.DeliveryAttempts && !(InPassing(e, cancellationToken) && now - delivery.ReceivedAt < OutageLimit))
                {
                    EngineLog.DeliveryQuarantined(services.Logger, delivery.Forge, delivery.DeliveryId, attempts, reason);
                    services.Metrics.WebhookDelivery(delivery.Forge, "quarantined");
                    services.Metrics.WebhookDeliveryQuarantined(delivery.Forge, "attempts");
                    outcomes.Quarantined.Add((delivery, reason));
                }
                else
                {
                    var retryAt = now + RetryDelay(options.DeliveryRetryDelay, attempts);
                    EngineLog.DeliveryRetry(services.Logger, delivery.Forge, delivery.DeliveryId, reason, retryAt);
                    services.Metrics.WebhookDelivery(delivery.Forge, "retry");
                    outcomes.Failed.Add((delivery, reason, retryAt));
                }
            }
        }

        return outcomes;
    }

    /// <summary>The wait after the <paramref name="attempts"/>th failure: <paramref name="first"/>, doubling, at most <see cref="MaxRetryDelay"/>.</summary>
    public static TimeSpan RetryDelay(TimeSpan first, int attempts)
    {
        var delay = first;
        for (var i = 1; i < attempts && delay < MaxRetryDelay; i++)
        {
            delay += delay;
        }

        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    /// <summary>
    /// Whether <paramref name="e"/> is a forge call that failed in passing (a timeout, a 5xx, a refused connection, a rate
    /// limit) rather than a fault of the delivery.
    /// </summary>
    private static bool InPassing(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or TimeoutException or TaskCanceledException or IClassifiedFailure
        && !cancellationToken.IsCancellationRequested
        && CallFailures.Classify(e).Kind is CallFailureKind.Transient or CallFailureKind.RateLimited;

    /// <summary>The failure in words: what happened and the exception's type and message (never the body or headers).</summary>
    private static string Reason(string what, Exception e)
    {
        var reason = $"{what}: {e.GetType().Name}: {e.Message}";
        return reason.Length <= MaxReasonLength ? reason : string.Concat(reason.AsSpan(0, MaxReasonLength - 1), "…");
    }
}
