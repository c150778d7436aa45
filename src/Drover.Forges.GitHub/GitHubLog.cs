using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitHub;

/// <summary>The GitHub adapter's log messages (source-generated). Never pass secrets to these.</summary>
internal static partial class GitHubLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: poll of {Repository} failed: {Reason}; logged again when it recovers")]
    public static partial void PollFailed(ILogger logger, string forge, string repository, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: rate limited; polling resumes at {Until:O}")]
    public static partial void PollPaused(ILogger logger, string forge, DateTimeOffset until);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "GitHub forge {Forge}: poll found {Events} job change(s) webhooks had not reported or that changed since the last poll")]
    public static partial void PollFound(ILogger logger, string forge, int events);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "GitHub forge {Forge}: runner {RunnerId} is running a job; its removal is left for a later cycle")]
    public static partial void RunnerBusy(ILogger logger, string forge, string runnerId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "GitHub forge {Forge}: enterprise scope {Scope} is not polled (GitHub has no enterprise-wide jobs list); it relies on webhooks")]
    public static partial void EnterpriseNotPolled(ILogger logger, string forge, string scope);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: polling is failing ({Reason}); retrying with backoff (next in {RetryIn}), logged again when it recovers")]
    public static partial void PollFailing(ILogger logger, string forge, string reason, TimeSpan retryIn);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "GitHub forge {Forge}: polling recovered after {Rounds} failed round(s) since {Since:O}")]
    public static partial void PollRecovered(ILogger logger, string forge, int rounds, DateTimeOffset since);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "GitHub forge {Forge}: poll of {Repository} works again")]
    public static partial void ScopeRecovered(ILogger logger, string forge, string repository);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Runner {Runner} was minted at GitHub forge {Forge} but the answer was lost; that unusable registration was removed and the runner minted again")]
    public static partial void LostMintRemoved(ILogger logger, string runner, string forge);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: a job record in the poll of {Where} cannot be read and is skipped: {Problem}")]
    public static partial void PollRecordSkipped(ILogger logger, string forge, string where, string problem);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "GitHub forge {Forge}: looking up job {JobId} of {Repository} failed ({Reason}); tried again at {RetryAt:O}")]
    public static partial void JobLookupFailed(ILogger logger, string forge, long jobId, string repository, string reason, DateTimeOffset retryAt);
}
