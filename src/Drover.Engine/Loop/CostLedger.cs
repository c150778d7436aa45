using Drover.Core.Config;
using Drover.Core.Cost;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// The live cost ledger: at most once per <see cref="ControlLoopOptions.CostInterval"/>, the leader costs every
/// runner's time since its cost mark (<see cref="RunnerCosting"/>) at the fleet file's prices (<see cref="PriceBook"/>).
/// It writes a runner's lines only when a state segment closes (the runner changed state or went) or a UTC hour ends,
/// so the ledger holds one line per runner, state segment and hour, not one per pass; the time since the mark is
/// <see cref="CostPass.Pending"/>, counted by the budgets from memory. The lines and the moved marks of a pass are
/// written in one transaction with a few multi-row statements; a mark moves only from the value read, so a restarted
/// process or a new leader costs each interval exactly once: a pass that finds a mark moved meanwhile writes nothing.
/// See ADR 0015.
/// </summary>
internal sealed class CostLedger(ExecutionServices services, TimeSpan interval, int maxRunnersPerPass = CostLedger.DefaultMaxRunnersPerPass)
{
    /// <summary>Runners one cycle costs at most, unless forced; a pass over more is spread over the following cycles.</summary>
    public const int DefaultMaxRunnersPerPass = 1000;

    private DateTimeOffset? _last;

    /// <summary>When the pass now spread over several cycles started: runners whose mark is before it are still due.</summary>
    private DateTimeOffset? _passFrom;

    /// <summary>
    /// The runners the pass now spread over cycles has still to cost, those costed longest ago first: listed (ids and
    /// marks only) when the pass starts; each cycle reads its batch's runners and marks afresh.
    /// </summary>
    private readonly Queue<string> _passQueue = new();

    /// <summary>Whether every batch of the pass under way was written (or had nothing to write).</summary>
    private bool _passClean;

    /// <summary>
    /// Gone runners that went before this were all costed to their end by a completed pass: a pass lists only those gone
    /// since (null: a new term lists every gone runner not costed to its end, once).
    /// </summary>
    private DateTimeOffset? _goneSince;

    /// <summary>Each costed runner's priced time since its mark, not written yet.</summary>
    private readonly Dictionary<string, IReadOnlyList<CostEntry>> _pending = new(StringComparer.Ordinal);

    private IReadOnlyList<CostEntry> _pendingLines = [];

    /// <summary>Passes whose transaction rolled back because a mark had moved under it (a stale leader's), for tests.</summary>
    internal int MovedPasses { get; private set; }

    /// <summary>
    /// Costs what is due; returns the committed lines and the runners' live time not written yet (none when it is not
    /// time yet or nothing is priced).
    /// </summary>
    /// <param name="config">The fleet whose prices apply.</param>
    /// <param name="jobs">The ledger's jobs, for the scope of a busy runner's job.</param>
    /// <param name="now">The end of the costed interval.</param>
    /// <param name="force">Cost every runner now even when the interval has not passed.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    public async Task<CostPass> RecordAsync(FleetConfig config, Func<JobKey, Job?> jobs, DateTimeOffset now, bool force, CancellationToken cancellationToken)
    {
        if (!force && _passFrom is null && _last is { } last && now - last < interval)
        {
            return new CostPass([], _pendingLines);
        }

        var store = services.Store;
        var started = services.Time.GetTimestamp();
        try
        {
            var costs = new List<RunnerCost>();
            var pending = new Dictionary<string, IReadOnlyList<CostEntry>>(StringComparer.Ordinal);
            IReadOnlyList<RunnerToCost> due;
            var passStart = _passFrom ?? now;
            if (force)
            {
                due = await store.ListRunnersToCostAsync(cancellationToken).ConfigureAwait(false);
                ForgetPendingExcept(due.Select(r => r.Runner.Id));
                _passQueue.Clear();
                _passFrom = null;
            }
            else
            {
                if (_passFrom is null)
                {
                    // A new pass: the runners due, costed longest ago first, by id only; a pass over more than the cap
                    // goes on over the next cycles, each reading its batch afresh, so no cycle reads every runner.
                    var listed = await store.ListCostDueAsync(_goneSince, cancellationToken).ConfigureAwait(false);
                    ForgetPendingExcept(listed.Select(d => d.RunnerId));
                    foreach (var open in listed.Where(d => d.CostedUntil is null || d.CostedUntil < now).OrderBy(d => d.CostedUntil ?? DateTimeOffset.MinValue))
                    {
                        _passQueue.Enqueue(open.RunnerId);
                    }

                    _passFrom = now;
                    _passClean = true;
                }

                var batch = new List<string>(Math.Min(maxRunnersPerPass, _passQueue.Count));
                while (batch.Count < maxRunnersPerPass && _passQueue.TryDequeue(out var id))
                {
                    batch.Add(id);
                }

                var from = _passFrom.Value;
                due = batch.Count == 0 ? [] : [.. (await store.GetRunnersToCostAsync(batch, cancellationToken).ConfigureAwait(false))
                    .Where(r => r.Mark is null || r.Mark.CostedUntil < from)];
            }

            var complete = _passQueue.Count == 0;

            var hour = HourStart(now);
            var changed = due.Where(r => r.Mark is null || r.Runner.StateSince > r.Mark.CostedUntil).Select(r => r.Runner.Id).ToList();
            var histories = changed.Count == 0 ? null : await store.GetRunnerHistoriesAsync(changed, cancellationToken).ConfigureAwait(false);
            foreach (var (runner, mark) in due)
            {
                var history = mark is null || runner.StateSince > mark.CostedUntil ? histories![runner.Id] : null;
                var pool = config.FindPool(runner.Pool);
                var price = pool is null ? RunnerPrice.Free : PriceBook.For(config, pool, runner.Provider);
                var attribution = new CostAttribution(pool is null ? null : config.TeamOf(pool), pool is null ? "unknown" : RunnerCosting.ScopeOf(pool.Scope));
                string? JobScope(JobKey key) => jobs(key)?.Scope;

                // Written: up to the start of the runner's current state (a closed segment; for a gone runner, its end)
                // and up to the hour's start; the rest is pending until then.
                var writeUntil = Later(runner.StateSince, hour);
                writeUntil = writeUntil > now ? now : writeUntil;
                var cost = mark is not null && writeUntil <= mark.CostedUntil
                    ? new RunnerCost(mark, mark, [])
                    : CostByHour(runner, mark, history, writeUntil, price, attribution, JobScope);
                if (!cost.IsEmpty)
                {
                    costs.Add(cost);
                }

                pending[runner.Id] = RunnerCosting.Cost(runner, cost.Next, history, now, price, attribution, JobScope).Lines;
            }

            var lines = costs.Count == 0 ? [] : await store.InTransactionAsync<IReadOnlyList<CostEntry>>(
                async (writer, ct) =>
                {
                    var written = costs.SelectMany(c => c.Lines).ToList();
                    await writer.AddCostsAsync(written, ct).ConfigureAwait(false);
                    var moved = await writer.AdvanceCostMarksAsync([.. costs.Select(c => (c.Expected, c.Next))], ct).ConfigureAwait(false);
                    if (moved != costs.Count)
                    {
                        throw new CostMarkMovedException(moved, costs.Count);
                    }

                    return written;
                },
                cancellationToken).ConfigureAwait(false);
            if (complete)
            {
                _last = now;
                _passFrom = null;
                if (_passClean)
                {
                    // Every gone runner listed at the pass's start is costed to its end now; later passes list only
                    // those gone since (a minute's margin for clocks of replicas that led before).
                    _goneSince = passStart - TimeSpan.FromMinutes(1);
                }
            }

            foreach (var (id, runnerLines) in pending)
            {
                _pending[id] = runnerLines;
            }

            _pendingLines = [.. _pending.Values.SelectMany(l => l)];
            services.Metrics.CostRecorded(lines);
            EngineLog.CostRecorded(services.Logger, lines.Count, costs.Count, now);
            return new CostPass(lines, _pendingLines);
        }
        catch (CostMarkMovedException e)
        {
            _passClean = false;
            MovedPasses++;
            EngineLog.CostMarksMoved(services.Logger, e.Moved, e.Expected);
            return new CostPass([], _pendingLines);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Cost is recorded from the marks: a pass that fails loses nothing, and must not fail the cycle that plans.
            _passClean = false;
            EngineLog.CostFailed(services.Logger, e.Message);
            return new CostPass([], _pendingLines);
        }
        finally
        {
            services.Metrics.CostPassCompleted(services.Time.GetElapsedTime(started));
        }
    }

    /// <summary>Runners no longer listed (gone and costed to their end) have nothing pending.</summary>
    private void ForgetPendingExcept(IEnumerable<string> listed)
    {
        var ids = listed.ToHashSet(StringComparer.Ordinal);
        foreach (var id in _pending.Keys.Where(id => !ids.Contains(id)).ToList())
        {
            _pending.Remove(id);
        }
    }

    /// <summary>The start of the UTC hour <paramref name="at"/> is in.</summary>
    internal static DateTimeOffset HourStart(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>
    /// Costs the runner from its mark to <paramref name="until"/> cut at each UTC hour's start, so that no line spans two
    /// hours (a budget period or a report range that starts on the hour counts each line whole, by its start).
    /// </summary>
    private static RunnerCost CostByHour(
        Runner runner, RunnerCostMark? mark, IReadOnlyList<RunnerTransition>? history, DateTimeOffset until, RunnerPrice price, CostAttribution attribution, Func<JobKey, string?> jobScope)
    {
        // A runner never costed starts at its first transition: a zero-length cost gives that mark.
        var at = mark ?? RunnerCosting.Cost(runner, null, history, DateTimeOffset.MinValue, price, attribution, jobScope).Next;
        var lines = new List<CostEntry>();
        while (at.CostedUntil < until)
        {
            var next = HourStart(at.CostedUntil).AddHours(1);
            var step = next < until ? next : until;
            var cost = RunnerCosting.Cost(runner, at, history, step, price, attribution, jobScope);
            lines.AddRange(cost.Lines);
            if (cost.Next.CostedUntil <= at.CostedUntil)
            {
                break;
            }

            at = cost.Next;
        }

        return new RunnerCost(mark, at, lines);
    }

    /// <summary>Forgets when the last pass ran: the next one costs at once (a new term as leader).</summary>
    public void Reset()
    {
        (_last, _passFrom, _goneSince) = (null, null, null);
        _passQueue.Clear();
        _pending.Clear();
        _pendingLines = [];
    }

    /// <summary>Rolls the pass's transaction back when a cost mark moved under it.</summary>
    private sealed class CostMarkMovedException(int moved, int expected) : Exception($"{expected - moved} runner(s) were costed meanwhile")
    {
        public int Moved { get; } = moved;

        public int Expected { get; } = expected;
    }
}
