using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>The scale-set listener's log messages (source-generated, ids 8200–8299). Never pass tokens or JIT configs to these.</summary>
internal static partial class ScaleSetLog
{
    [LoggerMessage(EventId = 8200, Level = LogLevel.Information, Message = "GitHub forge {Forge}: scale set {ScaleSet} (id {Id}) registered in runner group {Group} with labels [{Labels}] for pool {Pool}")]
    public static partial void Registered(ILogger logger, string forge, string scaleSet, long id, long group, string labels, string pool);

    [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "GitHub forge {Forge}: scale set {ScaleSet} (id {Id}) adopted for pool {Pool}")]
    public static partial void Adopted(ILogger logger, string forge, string scaleSet, long id, string pool);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Information, Message = "GitHub forge {Forge}: scale set {ScaleSet} (id {Id}) brought in line with pool {Pool}: runner group {Group}, labels [{Labels}]")]
    public static partial void Updated(ILogger logger, string forge, string scaleSet, long id, long group, string labels, string pool);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Information, Message = "GitHub forge {Forge}: message session of scale set {ScaleSet} opened (resuming after message {LastMessageId})")]
    public static partial void SessionOpened(ILogger logger, string forge, string scaleSet, long lastMessageId);

    [LoggerMessage(EventId = 8204, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: scale set {ScaleSet} already has a message session held elsewhere; waiting {Wait} before trying again (never taken over)")]
    public static partial void SessionConflict(ILogger logger, string forge, string scaleSet, TimeSpan wait);

    [LoggerMessage(EventId = 8205, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: message session of scale set {ScaleSet} is gone at GitHub ({Reason}); opening a new one")]
    public static partial void SessionLost(ILogger logger, string forge, string scaleSet, string reason);

    [LoggerMessage(EventId = 8206, Level = LogLevel.Information, Message = "GitHub forge {Forge}: message session of scale set {ScaleSet} closed")]
    public static partial void SessionClosed(ILogger logger, string forge, string scaleSet);

    [LoggerMessage(EventId = 8207, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: closing the message session of scale set {ScaleSet} failed ({Reason}); GitHub ends it once it expires")]
    public static partial void SessionCloseFailed(ILogger logger, string forge, string scaleSet, string reason);

    [LoggerMessage(EventId = 8208, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: scale set {ScaleSet} listener failed ({Reason}); retrying in {Wait}, logged again when it recovers")]
    public static partial void Failing(ILogger logger, string forge, string scaleSet, string reason, TimeSpan wait);

    [LoggerMessage(EventId = 8209, Level = LogLevel.Information, Message = "GitHub forge {Forge}: scale set {ScaleSet} listener recovered after {Rounds} failed round(s)")]
    public static partial void Recovered(ILogger logger, string forge, string scaleSet, int rounds);

    [LoggerMessage(EventId = 8210, Level = LogLevel.Information, Message = "GitHub forge {Forge}: message {MessageId} of scale set {ScaleSet} was handled already; acknowledged again")]
    public static partial void AlreadyHandled(ILogger logger, string forge, string scaleSet, long messageId);

    [LoggerMessage(EventId = 8211, Level = LogLevel.Information, Message = "GitHub forge {Forge}: scale set {ScaleSet} (id {Id}) deleted as pool {Pool} asks (scaleSet.delete)")]
    public static partial void Deleted(ILogger logger, string forge, string scaleSet, long id, string pool);

    [LoggerMessage(EventId = 8212, Level = LogLevel.Warning, Message = "Runner {Runner} was minted at scale set {ScaleSet} of GitHub forge {Forge} but the answer was lost; that unusable registration was removed and the runner minted again")]
    public static partial void LostMintRemoved(ILogger logger, string runner, string scaleSet, string forge);

    [LoggerMessage(EventId = 8213, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: message {MessageId} of scale set {ScaleSet} cannot be read and is acknowledged without effect: {Problem}")]
    public static partial void MessageUnreadable(ILogger logger, string forge, string scaleSet, long messageId, string problem);
}
