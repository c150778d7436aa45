using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitLab;

/// <summary>The GitLab forge's log messages; never a token.</summary>
internal static partial class GitLabLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "GitLab forge {Forge}: tags of job {JobId} could not be fetched ({Reason}); the job waits for the next poll")]
    public static partial void TagsFailed(ILogger logger, string forge, long jobId, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "GitLab forge {Forge}: polling {Scope} failed: {Reason}; logged again when it recovers")]
    public static partial void PollFailed(ILogger logger, string forge, string scope, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "GitLab forge {Forge}: runner {RunnerId} has a running job; not deleted now")]
    public static partial void RunnerBusy(ILogger logger, string forge, string runnerId);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "GitLab forge {Forge}: polling is failing ({Reason}); retrying with backoff (next in {RetryIn}), logged again when it recovers")]
    public static partial void PollFailing(ILogger logger, string forge, string reason, TimeSpan retryIn);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "GitLab forge {Forge}: polling recovered after {Rounds} failed round(s) since {Since:O}")]
    public static partial void PollRecovered(ILogger logger, string forge, int rounds, DateTimeOffset since);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "GitLab forge {Forge}: polling {Scope} works again")]
    public static partial void ScopeRecovered(ILogger logger, string forge, string scope);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Warning, Message = "GitLab forge {Forge}: a job record in the poll of {Where} cannot be read and is skipped: {Problem}")]
    public static partial void PollRecordSkipped(ILogger logger, string forge, string where, string problem);

    [LoggerMessage(EventId = 8650, Level = LogLevel.Warning, Message = "GitLab forge {Forge}: the default branch of project {Project} could not be fetched ({Reason}); its jobs' refs count as unknown (the lowest priority class) until a later look-up succeeds")]
    public static partial void DefaultBranchFailed(ILogger logger, string forge, string project, string reason);
}
