namespace Drover.Testing;

/// <summary>Drives a forge's poll loop in a test.</summary>
public static class PollLoops
{
    /// <summary>
    /// Runs <paramref name="run"/> until <paramref name="logs"/> says polling recovered, then stops it; returns how long
    /// the recovery took from the start (at most 25 s, else the test fails).
    /// </summary>
    public static async Task<TimeSpan> RunUntilRecoveredAsync(Func<CancellationToken, Task> run, ListLogger logs)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(logs);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var started = DateTime.UtcNow;

        var polling = run(stop.Token);
        await Eventually.TrueAsync(() => logs.Messages.Any(m => m.Contains("polling recovered", StringComparison.Ordinal)), "the poller recovered", TimeSpan.FromSeconds(25));
        var recoveredAfter = DateTime.UtcNow - started;
        await stop.CancelAsync();
        try
        {
            await polling;
        }
        catch (OperationCanceledException)
        {
            // Stopped during a wait or a request rather than between rounds.
        }

        return recoveredAfter;
    }
}
