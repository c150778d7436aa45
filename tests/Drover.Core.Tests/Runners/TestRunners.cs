using Drover.Core.Runners;

namespace Drover.Core.Tests.Runners;

/// <summary>Builds runner records for tests.</summary>
internal static class TestRunners
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static Runner Make(RunnerState state, DateTimeOffset stateSince, int attempt = 0, string id = "r-1") => new()
    {
        Id = id,
        Pool = "linux",
        Provider = "local",
        IdempotencyKey = id,
        State = state,
        StateSince = stateSince,
        CreatedAt = stateSince,
        Attempt = attempt,
    };
}
