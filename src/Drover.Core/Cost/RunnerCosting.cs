using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;

namespace Drover.Core.Cost;

/// <summary>
/// Costs one runner's life from its cost mark to now (or to when it went): splits the interval by the states its
/// history records, prices each billed state's time (<see cref="RunnerPrice.Charge"/>, so billing rounding adds up to
/// the whole life's) and says where the mark moves. Pure: the engine reads the inputs and writes the result in one
/// transaction.
/// </summary>
public static class RunnerCosting
{
    /// <summary>What a runner in <paramref name="state"/> costs as, or null when that time is not billed.</summary>
    /// <remarks>
    /// Requested: no instance exists yet. Failed: the instance failed or was taken away; its cleanup is costed as
    /// draining. Gone: nothing is left.
    /// </remarks>
    public static CostKind? KindOf(RunnerState state) => state switch
    {
        RunnerState.Provisioning or RunnerState.Registering => CostKind.Booting,
        RunnerState.Idle => CostKind.Idle,
        RunnerState.Busy => CostKind.Busy,
        RunnerState.Draining => CostKind.Draining,
        _ => null,
    };

    /// <summary>The scope text of a pool (<c>org:acme</c>, <c>repo:acme/web</c>, <c>project:group/app</c>).</summary>
    public static string ScopeOf(PoolScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.Kind == ScopeKind.Instance ? "instance" : $"{ConfigVocabulary.ScopeKey(scope.Kind)}:{scope.Path}";
    }

    /// <summary>
    /// Costs <paramref name="runner"/> from <paramref name="mark"/> to <paramref name="now"/> (or to when it went Gone, when
    /// that is earlier).
    /// </summary>
    /// <param name="runner">The runner as stored.</param>
    /// <param name="mark">How far it is costed; null: not at all (its life is costed from its first transition).</param>
    /// <param name="history">Its transitions in append order; null when its state did not change since the mark.</param>
    /// <param name="now">The end of the interval (for a Gone runner, at most the time it went).</param>
    /// <param name="price">What it costs.</param>
    /// <param name="attribution">Pool, team and scope of the lines; the job of busy time is the runner's.</param>
    /// <param name="jobScope">The forge scope of a job when known (its repository or project), else null.</param>
    public static RunnerCost Cost(
        Runner runner, RunnerCostMark? mark, IReadOnlyList<RunnerTransition>? history, DateTimeOffset now, RunnerPrice price, CostAttribution attribution, Func<JobKey, string?>? jobScope = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(price);
        ArgumentNullException.ThrowIfNull(attribution);
        var timeline = Timeline(runner, history);
        var from = mark?.CostedUntil ?? timeline[0].At;
        var until = runner.State == RunnerState.Gone && timeline[^1].At < now ? timeline[^1].At : now;
        var billed = mark?.BilledSeconds ?? 0m;
        if (until <= from)
        {
            return new RunnerCost(mark, mark ?? new RunnerCostMark(runner.Id, from, billed), []);
        }

        var lines = new List<CostEntry>();
        for (var i = 0; i < timeline.Count; i++)
        {
            var start = timeline[i].At < from ? from : timeline[i].At;
            var end = i + 1 < timeline.Count && timeline[i + 1].At < until ? timeline[i + 1].At : until;
            if (end <= start || KindOf(timeline[i].State) is not { } kind)
            {
                continue;
            }

            var seconds = (decimal)(end - start).Ticks / TimeSpan.TicksPerSecond;
            var amount = price.Charge(billed, billed + seconds);
            billed += seconds;
            if (price.IsFree)
            {
                continue;
            }

            if (lines.Count > 0 && lines[^1].Kind == kind && lines[^1].To == start)
            {
                // Provisioning then registering: one booting line.
                lines[^1] = lines[^1] with { To = end, RunnerSeconds = lines[^1].RunnerSeconds + (double)seconds, Amount = lines[^1].Amount + amount };
                continue;
            }

            var job = kind == CostKind.Busy ? runner.Job : null;
            lines.Add(new CostEntry
            {
                Pool = runner.Pool,
                Team = attribution.Team,
                Provider = runner.Provider,
                From = start,
                To = end,
                RunnerSeconds = (double)seconds,
                Amount = amount,
                Currency = price.Currency,
                Kind = kind,
                RunnerId = runner.Id,
                Job = job,
                Scope = (job is { } key ? jobScope?.Invoke(key) : null) ?? attribution.Scope,
            });
        }

        return new RunnerCost(mark, new RunnerCostMark(runner.Id, until, billed), lines);
    }

    /// <summary>
    /// The runner's states over time: each transition's time, kept in append order (a transition stamped before the one
    /// before it counts from that one), or the current state since <see cref="Runner.StateSince"/> when there is no history.
    /// </summary>
    private static List<(DateTimeOffset At, RunnerState State)> Timeline(Runner runner, IReadOnlyList<RunnerTransition>? history)
    {
        var timeline = new List<(DateTimeOffset At, RunnerState State)>();
        foreach (var transition in history ?? [])
        {
            var at = timeline.Count > 0 && transition.At < timeline[^1].At ? timeline[^1].At : transition.At;
            timeline.Add((at, transition.To));
        }

        if (timeline.Count == 0 || timeline[^1].State != runner.State)
        {
            var at = timeline.Count > 0 && runner.StateSince < timeline[^1].At ? timeline[^1].At : runner.StateSince;
            timeline.Add((at, runner.State));
        }

        return timeline;
    }
}
