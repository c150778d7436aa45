namespace Drover.Forges.GitHub.Traces;

/// <summary>How far a trace pull is: runs whose jobs were read out of the runs listed, and any rate-limit wait.</summary>
/// <param name="RunsDone">Runs whose jobs were read.</param>
/// <param name="RunsTotal">Runs listed.</param>
/// <param name="Jobs">Jobs taken into the trace so far.</param>
/// <param name="WaitingUntil">When a rate-limit wait ends, while waiting; else null.</param>
public sealed record TracePullProgress(int RunsDone, int RunsTotal, int Jobs, DateTimeOffset? WaitingUntil);
