using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// Keeps the store bounded (<see cref="RetentionConfig"/>): the acting leader deletes events, finished jobs, gone runners
/// with their history, and cost lines older than the fleet file's retention. A cycle deletes at most
/// <see cref="BatchSize"/> rows of each, each in its own short transaction: a table with a full batch is behind and goes on
/// at the next cycle, otherwise the next round is <see cref="Every"/> later. A failure is logged and never fails the cycle.
/// </summary>
internal sealed class StoreRetention(ExecutionServices services, int batchSize = StoreRetention.BatchSize)
{
    /// <summary>Rows of one kind a cycle deletes at most.</summary>
    public const int BatchSize = 500;

    /// <summary>How long after a round that found nothing behind the next one runs.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _next;

    /// <summary>Deletes one batch of each kind that is due; returns how many rows it deleted in all.</summary>
    /// <param name="retention">How long each kind is kept (the running fleet file's, so a reload applies at once).</param>
    /// <param name="now">The time the ages are measured from.</param>
    /// <param name="cancellationToken">Cancels the round.</param>
    public async Task<int> PruneAsync(RetentionConfig retention, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retention);
        if (_next is { } next && now < next)
        {
            return 0;
        }

        var behind = false;
        var deleted = 0;
        foreach (var (what, keep, delete) in Kinds(retention))
        {
            var before = now - keep;
            try
            {
                var count = await services.Store.InTransactionAsync((writer, ct) => delete(writer, before, batchSize, ct), cancellationToken).ConfigureAwait(false);
                if (count > 0)
                {
                    EngineLog.RetentionDeleted(services.Logger, count, what, before);
                }

                deleted += count;
                behind |= count >= batchSize;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                EngineLog.RetentionFailed(services.Logger, what, e.Message);
            }
        }

        _next = behind ? now : now + Every;
        return deleted;
    }

    /// <summary>Runs the next round at once (a new term as leader).</summary>
    public void Reset() => _next = null;

    private static IEnumerable<(string What, TimeSpan Keep, Func<IStateWriter, DateTimeOffset, int, CancellationToken, Task<int>> Delete)> Kinds(RetentionConfig retention) =>
    [
        ("events", retention.Events, (w, before, limit, ct) => w.DeleteEventsBeforeAsync(before, limit, ct)),
        ("finished jobs", retention.Jobs, (w, before, limit, ct) => w.DeleteFinishedJobsBeforeAsync(before, limit, ct)),
        ("gone runners", retention.Runners, (w, before, limit, ct) => w.DeleteGoneRunnersBeforeAsync(before, limit, ct)),
        ("cost lines", retention.CostLines, (w, before, limit, ct) => w.DeleteCostLinesBeforeAsync(before, limit, ct)),
    ];
}
