using System.Text.Json;
using Drover.Core.Planning;
using Drover.Core.Ports;

namespace Drover.Engine.Loop;

/// <summary>
/// Remembers, per pool, whether its last plan met the queue-wait target, and writes <see cref="EventKinds.PoolSloChanged"/>
/// when that changes (the first judgement of a term counts as a change only when it cannot be met). Cycle-owned.
/// </summary>
internal sealed class SloWatch
{
    private readonly Dictionary<string, bool> _last = new(StringComparer.Ordinal);

    /// <summary>Forgets what was seen (a new term).</summary>
    public void Reset() => _last.Clear();

    /// <summary>Writes an event for each pool of <paramref name="plan"/> whose feasibility changed.</summary>
    public async Task RecordAsync(IStateStore store, Plan plan, string actor, CancellationToken cancellationToken)
    {
        var events = new List<NewEvent>();
        foreach (var pool in plan.Pools)
        {
            if (pool.SloFeasible is not { } feasible)
            {
                continue;
            }

            var changed = _last.TryGetValue(pool.Pool, out var before) ? before != feasible : !feasible;
            _last[pool.Pool] = feasible;
            if (changed)
            {
                var message = feasible
                    ? "meets its wait target again"
                    : pool.Notes.FirstOrDefault(n => n.StartsWith("cannot meet the wait target", StringComparison.Ordinal)) ?? "cannot meet the wait target";
                events.Add(new NewEvent(plan.At, actor, EventKinds.PoolSloChanged, pool.Pool, message, JsonSerializer.Serialize(new { feasible })));
            }
        }

        if (events.Count > 0)
        {
            await store.InTransactionAsync(
                async (writer, ct) =>
                {
                    foreach (var e in events)
                    {
                        await writer.AppendEventAsync(e, ct).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
    }
}
