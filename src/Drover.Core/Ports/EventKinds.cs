namespace Drover.Core.Ports;

/// <summary>
/// Every <see cref="NewEvent.Kind"/> Drover writes to the event log (<c>GET /api/v1/events</c>), one constant each:
/// a public contract, so a kind is only added here, never renamed. Each says when it is written, what its subject,
/// message and data are; the actor is <c>engine</c> for the control loop, <c>api:NAME</c> for an API token's name,
/// <c>config-file</c> for the file watcher and <c>backup</c> for the scheduler. docs/operations.md lists them all.
/// </summary>
public static class EventKinds
{
    /// <summary>
    /// The control loop is about to create a runner: written with the runner's <c>requested</c> row, before any adapter
    /// is called. Subject: the runner id. Message: the planner's reason.
    /// </summary>
    public const string RunnerCreateIntent = "runner.create.intent";

    /// <summary>
    /// The forge did not give a runner its credential (JIT config or registration token); the runner is failed and no
    /// instance is created. Subject: the runner id. Message: the failure.
    /// </summary>
    public const string ForgeCredentialFailed = "forge.credential.failed";

    /// <summary>
    /// The provider confirmed a runner's instance; the runner is provisioning. Subject: the runner id. Message: the
    /// instance id and the provider.
    /// </summary>
    public const string ProviderCreateSucceeded = "provider.create.succeeded";

    /// <summary>
    /// Creating a runner's instance failed, or no adapter serves its provider or forge; the runner is failed, and an
    /// outage counts against the provider's circuit breaker. Subject: the runner id. Message: the failure.
    /// </summary>
    public const string ProviderCreateFailed = "provider.create.failed";

    /// <summary>
    /// A planned create was not attempted because the provider's circuit breaker opened during the plan (creates run
    /// concurrently, up to the provider's <c>maxConcurrentCreates</c>; the ones already under way when it opens finish,
    /// the ones waiting for a slot are withheld); the next plan decides again. Subject: the create's idempotency key.
    /// Message: which breaker is open. Also when a create under way found its forge's credential call held back unsent
    /// by a rate limit (the forge's pacer found the endpoint's budget spent, or the forge is paused): its intent is
    /// withdrawn (Requested → Gone, nothing made) and the next plan makes it when the limit ends. Subject: the runner
    /// id. Message: until when.
    /// </summary>
    public const string ProviderCreateWithheld = "provider.create.withheld";

    /// <summary>
    /// The control loop is about to delete a runner (idle too long, replaced, stuck, or on an operator's request).
    /// Subject: the runner id. Message: the reason.
    /// </summary>
    public const string RunnerDeleteIntent = "runner.delete.intent";

    /// <summary>
    /// A runner's instance and forge registration are gone; the runner is gone. Subject: the runner id. Message: the
    /// reason it was deleted.
    /// </summary>
    public const string RunnerDeleteSucceeded = "runner.delete.succeeded";

    /// <summary>
    /// Deleting a runner failed at the provider or the forge; the deletion is tried again. Subject: the runner id.
    /// Message: each failure, separated by <c>; </c>.
    /// </summary>
    public const string RunnerDeleteFailed = "runner.delete.failed";

    /// <summary>
    /// A forge-side runner that no Drover runner owns (an orphan) was unregistered, or was already gone. Subject: the
    /// forge runner's name. Message: the reason, with <c>(already gone)</c> when it was.
    /// </summary>
    public const string ForgeUnregisterSucceeded = "forge.unregister.succeeded";

    /// <summary>
    /// Unregistering an orphan forge-side runner failed; a later plan tries again. Subject: the forge runner's name.
    /// Message: the failure.
    /// </summary>
    public const string ForgeUnregisterFailed = "forge.unregister.failed";

    /// <summary>
    /// An instance that no Drover runner owns (an orphan) was deleted at its provider, or was already gone. Subject:
    /// the instance id. Message: the reason, with <c>(already gone)</c> when it was.
    /// </summary>
    public const string ProviderDeleteInstanceSucceeded = "provider.delete-instance.succeeded";

    /// <summary>
    /// Deleting an orphan instance failed; a later plan tries again. Subject: the instance id. Message: the failure.
    /// </summary>
    public const string ProviderDeleteInstanceFailed = "provider.delete-instance.failed";

    /// <summary>
    /// At start-up, a create intent an earlier process left behind was resolved against the provider's instances:
    /// provisioning when an instance carries its key, else withdrawn. Subject: the runner id. Message: which.
    /// </summary>
    public const string RunnerIntentReconciled = "runner.intent.reconciled";

    /// <summary>
    /// A provisioning runner is registered: the forge lists it, or a job the forge reports names it as its runner.
    /// Subject: the runner id. Message: `registered with the forge as ID` (the forge's runner id), or, when a job named
    /// it before the forge's list showed it, `registered with the forge: seen running a job before the forge listed its
    /// registration`.
    /// </summary>
    public const string RunnerRegistered = "runner.registered";

    /// <summary>
    /// An operator drained a pool (<c>POST /api/v1/pools/{name}/drain</c>): no new runners, idle ones go. Subject:
    /// the pool. Message: the reason given, else <c>drained</c>.
    /// </summary>
    public const string ApiPoolDrain = "api.pool.drain";

    /// <summary>
    /// An operator resumed a drained pool (<c>POST /api/v1/pools/{name}/resume</c>). Subject: the pool. Message: the
    /// reason given, else <c>resumed</c>.
    /// </summary>
    public const string ApiPoolResume = "api.pool.resume";

    /// <summary>
    /// An operator asked for a runner to be deleted (<c>POST /api/v1/runners/{id}/delete</c>); the leader carries it
    /// out. Subject: the runner id. Message: the reason given, else <c>delete requested</c>.
    /// </summary>
    public const string ApiRunnerDelete = "api.runner.delete";

    /// <summary>
    /// An admin reloaded the configuration (<c>POST /api/v1/reload</c>) and it was applied. Subject: <c>config</c>.
    /// Message: the reason given, else the number of pools.
    /// </summary>
    public const string ApiReload = "api.reload";

    /// <summary>
    /// An admin's reload found the configuration invalid; the running one is kept. Subject: <c>config</c>. Message:
    /// the number of problems and the first. Data: a JSON array of every problem (<c>file:line:col: path: message</c>).
    /// </summary>
    public const string ApiReloadRejected = "api.reload.rejected";

    /// <summary>
    /// The watched configuration file changed and was applied (<c>drover serve --config</c>). Subject: <c>config</c>.
    /// Message: the number of pools.
    /// </summary>
    public const string ConfigFileReload = "config.file.reload";

    /// <summary>
    /// The watched configuration file changed but is invalid; the running configuration is kept. Subject:
    /// <c>config</c>. Message: the number of problems and the first. Data: a JSON array of every problem.
    /// </summary>
    public const string ConfigFileReloadRejected = "config.file.reload.rejected";

    /// <summary>
    /// The leader wrote a scheduled backup. Subject: the backup's file name. Message: its size in bytes.
    /// </summary>
    public const string BackupWritten = "backup.written";

    /// <summary>
    /// A stored webhook delivery was given up on: it could not be read, or interpreting it failed on every attempt. It
    /// is kept (without being tried again) for <c>GET /api/v1/deliveries?state=quarantined</c>. Subject:
    /// <c>FORGE/DELIVERY-ID</c>. Message: the reason (exception type and message). Data: <c>{"forge", "deliveryId",
    /// "attempts"}</c>.
    /// </summary>
    public const string WebhookDeliveryQuarantined = "webhook.delivery.quarantined";

    /// <summary>
    /// An operator put a quarantined webhook delivery back in the queue
    /// (<c>POST /api/v1/deliveries/{forge}/{id}/requeue</c>); the leader interprets it again as if new. Subject:
    /// <c>FORGE/DELIVERY-ID</c>. Message: the reason given, else <c>requeued</c>.
    /// </summary>
    public const string ApiDeliveryRequeue = "api.delivery.requeue";

    /// <summary>
    /// The infrastructure took a runner's instance away while it ran a job (spot interruption, node loss, eviction, an
    /// OOM-killed pod, a runner process killed by a signal Drover did not send); the runner is failed and the loss is
    /// recorded with the runner's failure. Subject: the job (<c>forge/id</c>). Message: the runner, the instance and
    /// what happened to it, and whether the job is re-run (which re-run of how many) or why not (the pool's
    /// <c>lostJobReruns</c> is 0, or the job was already re-run that often).
    /// </summary>
    public const string JobLost = "job.lost";

    /// <summary>
    /// The forge accepted a lost job's re-run (GitHub: re-run of the job; GitLab: retry). Subject: the lost job
    /// (<c>forge/id</c>). Message: the new job's id when the forge said, and the forge's answer.
    /// </summary>
    public const string JobRerunRequested = "job.rerun.requested";

    /// <summary>
    /// A lost job is not re-run after all: the forge refused, cannot re-run jobs, or did not accept within the re-run
    /// window (2 hours). Subject: the lost job (<c>forge/id</c>). Message: why.
    /// </summary>
    public const string JobRerunRefused = "job.rerun.refused";

    /// <summary>
    /// A budget's period spend reached one of its thresholds (a share of its limit, 0.8 by default), once per budget,
    /// period and threshold. Subject: the budget (<c>pool/NAME</c>, <c>team/NAME</c>). Message: spend, limit and the
    /// forecast at the current rate. Data: budget, periodStart, threshold, spend, limit, currency, spentBy.
    /// </summary>
    public const string BudgetThreshold = "budget.threshold";

    /// <summary>
    /// A budget's period spend reached its limit, once per budget and period; its action (alert-only, stop-warm,
    /// hard-cap) applies from the same cycle. Subject: the budget. Message: spend, limit and the action. Data as for
    /// <c>budget.threshold</c> with the action.
    /// </summary>
    public const string BudgetExhausted = "budget.exhausted";

    /// <summary>
    /// A pool's plan stopped or started meeting its queue-wait target (<c>targetWaitP95</c> of a predictive pool with
    /// history): written once per change, not every cycle (a new term writes it again for a pool that cannot meet it).
    /// Subject: the pool. Message: why it cannot be met (boot time too long for the forecast arrivals, <c>maxWarm</c> or
    /// <c>max</c> too low, a budget reached), or that it is met again. Data: <c>{"feasible":false}</c> or <c>true</c>.
    /// </summary>
    public const string PoolSloChanged = "pool.slo.changed";
}
