using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Cost;
using Drover.Core.Ports;
using Drover.Engine.Execution;

namespace Drover.Engine.Loop;

/// <summary>
/// Where every budget stands (pools' and teams'): each budget's spend in its current period, read from the cost ledger
/// when the period, the fleet or the hour changes and kept current between reads from the lines the leader commits,
/// plus the live time the last cost pass priced but the ledger has not written yet (<see cref="CostPass.Pending"/>).
/// The leader also raises each threshold's (and the limit's) alert once per period: an event written with a
/// <c>budget_alerts</c> row in one transaction, so no restart or new leader raises it twice, then the notification.
/// </summary>
internal sealed class BudgetTracker(ExecutionServices services, IBudgetNotifier? notifier, TimeSpan reloadEvery)
{
    private readonly Dictionary<string, (DateTimeOffset Start, decimal Spend)> _spend = new(StringComparer.Ordinal);
    private readonly HashSet<(string Budget, DateTimeOffset Start, decimal Threshold)> _raised = [];
    private FleetConfig? _config;
    private IReadOnlyList<CostEntry> _pending = [];
    private Dictionary<string, List<CostEntry>>? _pendingByPool;
    private DateTimeOffset? _loadedAt;

    /// <summary>Every budget of <paramref name="config"/> with the pools its spend counts.</summary>
    public static IEnumerable<(string Name, BudgetConfig Budget, Func<string, bool> Counts)> Budgets(FleetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var pool in config.Pools)
        {
            if (pool.Budget is { } budget)
            {
                var name = pool.Name;
                yield return (BudgetPeriods.PoolBudget(name), budget, p => p == name);
            }
        }

        foreach (var team in config.Teams)
        {
            if (team.Budget is { } budget)
            {
                var pools = config.PoolsOf(team.Name).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                yield return (BudgetPeriods.TeamBudget(team.Name), budget, pools.Contains);
            }
        }
    }

    /// <summary>Each budget's status now, reading the ledger when due.</summary>
    public async Task<IReadOnlyList<BudgetStatus>> StatusAsync(FleetConfig config, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var budgets = Budgets(config).ToList();
        if (budgets.Count == 0)
        {
            _spend.Clear();
            return [];
        }

        var periods = budgets.Select(b => BudgetPeriods.Current(b.Budget, now)).ToList();
        var reload = !ReferenceEquals(config, _config) || _loadedAt is not { } loaded || now - loaded >= reloadEvery
            || budgets.Select((b, i) => !_spend.TryGetValue(b.Name, out var s) || s.Start != periods[i].Start).Any(x => x);
        if (reload)
        {
            var byStart = new Dictionary<DateTimeOffset, IReadOnlyDictionary<string, decimal>>();
            foreach (var start in periods.Select(p => p.Start).Distinct())
            {
                byStart[start] = await services.Store.GetSpendByPoolSinceAsync(start, cancellationToken).ConfigureAwait(false);
            }

            _spend.Clear();
            for (var i = 0; i < budgets.Count; i++)
            {
                var spend = byStart[periods[i].Start].Where(p => budgets[i].Counts(p.Key)).Sum(p => p.Value);
                _spend[budgets[i].Name] = (periods[i].Start, spend);
            }

            _config = config;
            _loadedAt = now;
        }

        _pendingByPool ??= _pending.GroupBy(l => l.Pool, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        return [.. budgets.Select((b, i) => new BudgetStatus(b.Name, b.Budget, periods[i].Start, periods[i].End, _spend[b.Name].Spend + Pending(config, b.Name, periods[i].Start)))];
    }

    /// <summary>
    /// Counts lines the leader just committed into the budgets they belong to, and takes the runners' live time not
    /// written yet (<see cref="CostPass.Pending"/>), which each status adds to the written spend.
    /// </summary>
    public void Add(FleetConfig config, CostPass pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        if (!ReferenceEquals(pass.Pending, _pending))
        {
            _pending = pass.Pending;
            _pendingByPool = null;
        }

        var lines = pass.Written;
        if (lines.Count == 0 || !ReferenceEquals(config, _config))
        {
            return;
        }

        foreach (var (name, _, counts) in Budgets(config))
        {
            if (_spend.TryGetValue(name, out var spend))
            {
                _spend[name] = (spend.Start, spend.Spend + lines.Where(l => l.From >= spend.Start && counts(l.Pool)).Sum(l => l.Amount));
            }
        }
    }

    /// <summary>The live time not written yet of the pools a budget counts, in lines starting in its period.</summary>
    private decimal Pending(FleetConfig config, string budget, DateTimeOffset periodStart)
    {
        var name = budget[(budget.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var pools = budget.StartsWith("pool/", StringComparison.Ordinal) ? new List<string> { name } : [.. config.PoolsOf(name).Select(p => p.Name)];
        var spend = 0m;
        foreach (var pool in pools)
        {
            if (_pendingByPool!.TryGetValue(pool, out var lines))
            {
                spend += lines.Where(l => l.From >= periodStart).Sum(l => l.Amount);
            }
        }

        return spend;
    }

    /// <summary>The pool and team spend the planner reads (each in its budget's period).</summary>
    public static (IReadOnlyDictionary<string, decimal> Pools, IReadOnlyDictionary<string, decimal> Teams) Spend(IReadOnlyList<BudgetStatus> statuses)
    {
        var pools = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var teams = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var status in statuses)
        {
            var (kind, name) = (status.Name[..status.Name.IndexOf('/', StringComparison.Ordinal)], status.Name[(status.Name.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            (kind == "pool" ? pools : teams)[name] = status.Spend;
        }

        return (pools, teams);
    }

    /// <summary>Raises the alerts of thresholds (and limits) reached and not yet raised this period.</summary>
    public async Task RaiseAlertsAsync(IReadOnlyList<BudgetStatus> statuses, DateTimeOffset now, string actor, CancellationToken cancellationToken)
    {
        foreach (var status in statuses)
        {
            var reached = status.Budget.Thresholds.Where(t => t < 1m && status.UsedRatio >= t).ToList();
            if (status.Exhausted)
            {
                reached.Add(1m);
            }

            foreach (var threshold in reached.Order())
            {
                if (!_raised.Add((status.Name, status.PeriodStart, threshold)))
                {
                    continue;
                }

                var alert = new BudgetAlert(status, threshold, now);
                bool raised;
                try
                {
                    raised = await RecordAsync(alert, actor, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // Raised on the next cycle; an alert must not fail the cycle that plans.
                    _raised.Remove((status.Name, status.PeriodStart, threshold));
                    Logging.EngineLog.CostFailed(services.Logger, e.Message);
                    continue;
                }

                if (raised && status.Budget.Notify is { } notify)
                {
                    notifier?.Enqueue(notify, alert);
                }
            }
        }
    }

    /// <summary>Writes the alert's row and event in one transaction; false when it was raised already.</summary>
    private Task<bool> RecordAsync(BudgetAlert alert, string actor, CancellationToken cancellationToken) =>
        services.Store.InTransactionAsync(
            async (writer, ct) =>
            {
                var status = alert.Status;
                if (!await writer.TryRecordBudgetAlertAsync(status.Name, status.PeriodStart, alert.Threshold, alert.At, ct).ConfigureAwait(false))
                {
                    return false;
                }

                var kind = alert.Threshold >= 1m ? EventKinds.BudgetExhausted : EventKinds.BudgetThreshold;
                await writer.AppendEventAsync(new NewEvent(alert.At, actor, kind, status.Name, alert.Text(), Data(alert)), ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Forgets what it read: a new term reads the ledger again.</summary>
    public void Reset()
    {
        _loadedAt = null;
        _pending = [];
        _pendingByPool = null;
        _raised.Clear();
    }

    private static string Data(BudgetAlert alert)
    {
        var status = alert.Status;
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["budget"] = status.Name,
            ["periodStart"] = status.PeriodStart,
            ["threshold"] = alert.Threshold,
            ["spend"] = status.Spend,
            ["limit"] = status.Budget.Limit,
            ["currency"] = status.Budget.Currency,
            ["action"] = alert.Threshold >= 1m ? status.ActionName : null,
            ["spentBy"] = status.SpentBy(alert.At),
        });
    }
}
