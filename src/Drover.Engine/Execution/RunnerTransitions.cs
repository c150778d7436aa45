using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Drover.Engine.Execution;

/// <summary>
/// Moves runners through <see cref="RunnerLifecycle"/> inside a store transaction. An illegal transition is
/// rejected: nothing is written and the rejection is logged.
/// </summary>
internal sealed class RunnerTransitions
{
    private readonly ILogger _logger;

    /// <param name="logger">Where rejected transitions are logged.</param>
    public RunnerTransitions(ILogger logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Transitions <paramref name="runner"/> to <paramref name="to"/>, applies <paramref name="change"/> to the new
    /// record and writes it. Returns the written runner, or null when the transition was rejected.
    /// </summary>
    public async Task<Runner?> ApplyAsync(
        IStateWriter writer,
        Runner runner,
        RunnerState to,
        DateTimeOffset now,
        string reason,
        CancellationToken cancellationToken,
        Func<Runner, Runner>? change = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var result = RunnerLifecycle.Transition(runner, to, now, reason);
        if (!result.IsAccepted)
        {
            EngineLog.IllegalTransition(_logger, result.Error);
            return null;
        }

        var next = change is null ? result.Runner : change(result.Runner);
        await writer.UpsertRunnerAsync(next, reason, cancellationToken).ConfigureAwait(false);
        return next;
    }

    /// <summary>Applies <paramref name="path"/> one state after another; stops (returning null) at the first rejection.</summary>
    public async Task<Runner?> ApplyPathAsync(
        IStateWriter writer,
        Runner runner,
        IReadOnlyList<RunnerState> path,
        DateTimeOffset now,
        string reason,
        CancellationToken cancellationToken,
        Func<Runner, Runner>? change = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var current = runner;
        for (var i = 0; i < path.Count && current is not null; i++)
        {
            current = await ApplyAsync(writer, current, path[i], now, reason, cancellationToken, i == path.Count - 1 ? change : null).ConfigureAwait(false);
        }

        return current;
    }
}
