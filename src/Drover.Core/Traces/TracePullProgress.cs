namespace Drover.Core.Traces;

/// <summary>
/// How far a forge's trace pull is: units (GitHub workflow runs, GitLab projects) whose jobs were read out of those
/// listed, and any rate-limit wait.
/// </summary>
/// <param name="RunsDone">Units whose jobs were read.</param>
/// <param name="RunsTotal">Units listed.</param>
/// <param name="Jobs">Jobs taken into the trace so far.</param>
/// <param name="WaitingUntil">When a rate-limit wait ends, while waiting; else null.</param>
public sealed record TracePullProgress(int RunsDone, int RunsTotal, int Jobs, DateTimeOffset? WaitingUntil);
