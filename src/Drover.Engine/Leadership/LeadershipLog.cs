using Microsoft.Extensions.Logging;

namespace Drover.Engine.Leadership;

/// <summary>
/// Leader election's log messages (source-generated). Store failures are logged by exception type only: their
/// messages may carry connection details.
/// </summary>
internal static partial class LeadershipLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Became leader as {Holder}")]
    public static partial void BecameLeader(ILogger logger, string holder);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Stepping down as leader: {Reason}")]
    public static partial void SteppingDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Leader lease renewal failed ({Error}); retrying")]
    public static partial void RenewalFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Leader election could not reach the store ({Error}); retrying")]
    public static partial void StoreUnreachable(ILogger logger, string error);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Could not release the leader lease ({Error}); it expires on its own")]
    public static partial void ReleaseFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "The leader's work failed")]
    public static partial void LeaderWorkFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "The follower's refresh failed")]
    public static partial void FollowerRefreshFailed(ILogger logger, Exception exception);
}
