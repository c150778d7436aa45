using Microsoft.Extensions.Logging;

namespace Drover.Engine.Logging;

/// <summary>The engine's log messages (source-generated). Never pass secrets to these.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Rejected runner transition: {Error}")]
    public static partial void IllegalTransition(ILogger logger, string error);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Runner {RunnerId} of pool {Pool}: create requested at provider {Provider}")]
    public static partial void CreateRequested(ILogger logger, string runnerId, string pool, string provider);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Runner {RunnerId}: {Operation} failed at {Target}: {Reason}")]
    public static partial void CallFailed(ILogger logger, string runnerId, string operation, string target, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Runner {RunnerId} deleted ({Cause})")]
    public static partial void RunnerDeleted(ILogger logger, string runnerId, string cause);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Start-up: intent {RunnerId} resolved to {State}: {Reason}")]
    public static partial void IntentReconciled(ILogger logger, string runnerId, string state, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Listing {Kind} {Name} failed: {Reason}")]
    public static partial void ListFailed(ILogger logger, string kind, string name, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "Cycle at {At:O}: {Actions} actions, next wake {NextWake}")]
    public static partial void CycleDone(ILogger logger, DateTimeOffset at, int actions, string nextWake);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "Control cycle failed")]
    public static partial void CycleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Circuit breaker of provider {Provider} is now {Status}")]
    public static partial void BreakerChanged(ILogger logger, string provider, string status);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "No {Kind} adapter named {Name}; action for {Subject} skipped")]
    public static partial void MissingAdapter(ILogger logger, string kind, string name, string subject);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} of forge {Forge} could not be read and is quarantined: {Problem}")]
    public static partial void DeliveryUnreadable(ILogger logger, string forge, string deliveryId, string problem);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} of forge {Forge} could not be processed ({Error}); tried again at {RetryAt:O}")]
    public static partial void DeliveryRetry(ILogger logger, string forge, string deliveryId, string error, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 1043, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} of forge {Forge} failed {Attempts} times and is quarantined: {Error}")]
    public static partial void DeliveryQuarantined(ILogger logger, string forge, string deliveryId, int attempts, string error);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "{Count} runner creation(s) wait for the next cycle: {Target} is rate limited until {Until:O}")]
    public static partial void CreatesHeldBack(ILogger logger, int count, string target, DateTimeOffset until);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Warning, Message = "Job {Job} was lost with runner {Runner}: {Reason}; {Outcome}")]
    public static partial void JobLost(ILogger logger, string job, string runner, string reason, string outcome);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Information, Message = "Forge {Forge} re-runs lost job {Job}: {Answer}")]
    public static partial void JobRerunRequested(ILogger logger, string forge, string job, string answer);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Warning, Message = "Lost job {Job} is not re-run: {Reason}")]
    public static partial void JobRerunRefused(ILogger logger, string job, string reason);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Debug, Message = "Runner {RunnerId}: a delete is already under way; this one does nothing")]
    public static partial void DeleteAlreadyUnderWay(ILogger logger, string runnerId);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Information, Message = "Runner {RunnerId}: already deleted by another delete; no second outcome recorded")]
    public static partial void DeleteAlreadyDone(ILogger logger, string runnerId);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Information, Message = "Shutdown: ending {Count} idle or booting runner(s) on host-bound providers; busy runners are left to finish")]
    public static partial void ShutdownDrain(ILogger logger, int count);

    [LoggerMessage(EventId = 1060, Level = LogLevel.Debug, Message = "Cost ledger: {Lines} line(s) for {Runners} runner(s), up to {Until}")]
    public static partial void CostRecorded(ILogger logger, int lines, int runners, DateTimeOffset until);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Information, Message = "Cost ledger: runner {RunnerId} was costed by another writer meanwhile (a previous leader); nothing written this time, the next pass costs from its mark")]
    public static partial void CostMarkMoved(ILogger logger, string runnerId);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Warning, Message = "Cost ledger: could not record cost ({Reason}); the time is costed on the next pass")]
    public static partial void CostFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 8800, Level = LogLevel.Information, Message = "Cost ledger: {Moved} of {Expected} cost marks moved; the others were costed by another writer meanwhile (a previous leader), so nothing was written this time and the next pass costs from the stored marks")]
    public static partial void CostMarksMoved(ILogger logger, int moved, int expected);

    [LoggerMessage(EventId = 8801, Level = LogLevel.Debug, Message = "Retention: deleted {Count} row(s) of {What} older than {Before}")]
    public static partial void RetentionDeleted(ILogger logger, int count, string what, DateTimeOffset before);

    [LoggerMessage(EventId = 8802, Level = LogLevel.Warning, Message = "Retention: could not delete old {What} ({Reason}); tried again on a later cycle")]
    public static partial void RetentionFailed(ILogger logger, string what, string reason);
}
