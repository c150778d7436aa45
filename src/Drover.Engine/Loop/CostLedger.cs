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
/// runner's time since its cost mark (<see cref="RunnerCosting"/>) at the fleet file's prices (<see cref="PriceBook"/>),
/// and writes the lines and the moved marks in one transaction. A mark moves only from the value read, so a restarted
/// process or a new leader costs each interval exactly once: a pass that finds a mark moved meanwhile writes nothing.
/// </summary>
internal sealed class CostLedger(ExecutionServices services, TimeSpan interval, int maxRunnersPerPass = CostLedger.DefaultMaxRunnersPerPass)
{
    /// <summary>Runners one cycle costs at most, unless forced; a pass over more is spread over the following cycles.</summary>
    public const int DefaultMaxRunnersPerPass = 1000;

    private DateTimeOffset? _last;

    /// <summary>When the pass now spread over several cycles started: runners whose mark is before it are still due.</summary>
    private DateTimeOffset? _passFrom;

    /// <summary>Runners the spread pass has looked at already (a runner with nothing to cost keeps its mark).</summary>
    private readonly HashSet<string> _passDone = new(StringComparer.Ordinal);

    /// <summary>Costs what is due; returns the committed lines (none when it is not time yet or nothing is priced).</summary>
    /// <param name="config">The fleet whose prices apply.</param>
    /// <param name="jobs">The ledger's jobs, for the scope of a busy runner's job.</param>
    /// <param name="now">The end of the costed interval.</param>
    /// <param name="force">Cost now even when the interval has not passed.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    public async Task<IReadOnlyList<CostEntry>> RecordAsync(FleetConfig config, Func<JobKey, Job?> jobs, DateTimeOffset now, bool force, CancellationToken cancellationToken)
    {
        if (!force && _passFrom is null && _last is { } last && now - last < interval)
        {
            return [];
        }

        var store = services.Store;
        try
        {
            var costs = new List<RunnerCost>();
            IEnumerable<RunnerToCost> due = await store.ListRunnersToCostAsync(cancellationToken).ConfigureAwait(false);
            var complete = true;
            if (!force)
            {
                // At 10,000 runners one pass is 10,000 lines and marks in one transaction, seconds inside the cycle: a
                // pass over more than the cap costs the runners costed longest ago first and goes on next cycle.
                var from = _passFrom ?? now;
                var pending = due.Where(r => !_passDone.Contains(r.Runner.Id) && (r.Mark is null || r.Mark.CostedUntil < from)).ToList();
                complete = pending.Count <= maxRunnersPerPass;
                due = complete ? pending : [.. pending.OrderBy(r => r.Mark?.CostedUntil ?? DateTimeOffset.MinValue).Take(maxRunnersPerPass)];
                _passFrom = complete ? null : from;
            }

            foreach (var (runner, mark) in due)
            {
                var history = mark is null || runner.StateSince > mark.CostedUntil
                    ? await store.GetRunnerHistoryAsync(runner.Id, cancellationToken).ConfigureAwait(false)
                    : null;
                var pool = config.FindPool(runner.Pool);
                var price = pool is null ? RunnerPrice.Free : PriceBook.For(config, pool, runner.Provider);
                var attribution = new CostAttribution(pool is null ? null : config.TeamOf(pool), pool is null ? "unknown" : RunnerCosting.ScopeOf(pool.Scope));
                var cost = RunnerCosting.Cost(runner, mark, history, now, price, attribution, key => jobs(key)?.Scope);
                if (!cost.IsEmpty)
                {
                    costs.Add(cost);
                }
            }

            var lines = costs.Count == 0 ? [] : await store.InTransactionAsync<IReadOnlyList<CostEntry>>(
                async (writer, ct) =>
                {
                    var written = new List<CostEntry>();
                    foreach (var cost in costs)
                    {
                        foreach (var line in cost.Lines)
                        {
                            written.Add(await writer.AddCostAsync(line, ct).ConfigureAwait(false));
                        }

                        if (!await writer.AdvanceCostMarkAsync(cost.Expected, cost.Next, ct).ConfigureAwait(false))
                        {
                            throw new CostMarkMovedException(cost.Next.RunnerId);
                        }
                    }

                    return written;
                },
                cancellationToken).ConfigureAwait(false);
            if (complete)
            {
                _last = now;
                _passDone.Clear();
            }
            else
            {
                _passDone.UnionWith(due.Select(r => r.Runner.Id));
            }

            services.Metrics.CostRecorded(lines);
            EngineLog.CostRecorded(services.Logger, lines.Count, costs.Count, now);
            return lines;
        }
        catch (CostMarkMovedException e)
        {
            EngineLog.CostMarkMoved(services.Logger, e.RunnerId);
            return [];
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Cost is recorded from the marks: a pass that fails loses nothing, and must not fail the cycle that plans.
            EngineLog.CostFailed(services.Logger, e.Message);
            return [];
        }
    }

    /// <summary>Forgets when the last pass ran: the next one costs at once (a new term as leader).</summary>
    public void Reset()
    {
        (_last, _passFrom) = (null, null);
        _passDone.Clear();
    }

    /// <summary>Rolls the pass's transaction back when a cost mark moved under it.</summary>
    private sealed class CostMarkMovedException(string runnerId) : Exception($"runner {runnerId} was costed meanwhile")
    {
        public string RunnerId { get; } = runnerId;
    }
}
