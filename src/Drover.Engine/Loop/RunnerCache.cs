using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;

namespace Drover.Engine.Loop;

/// <summary>
/// The live runners as this replica last wrote or read them. As leader it is the only writer of runners, and every
/// write happens in a cycle (or at the start of a term), so a cycle reuses this view instead of reading every runner
/// from the store: after the cycle it is patched with the runners the cycle acted on. It is dropped when a cycle
/// fails or a term starts, and read again from the store at least every resync interval.
/// </summary>
internal sealed class RunnerCache(IStateStore store, TimeSpan resyncInterval)
{
    /// <summary>Up to this many runners acted on, the snapshot re-reads just those instead of listing every runner.</summary>
    private const int SnapshotPointReads = 16;

    private RunnerView? _view;

    /// <summary>Forgets the view: the next cycle reads every runner from the store.</summary>
    public void Drop() => _view = null;

    /// <summary>Whether a cycle at <paramref name="now"/> must read the runners from the store.</summary>
    public bool MustReload(DateTimeOffset now) => _view is not { } view || now - view.LoadedAt >= resyncInterval || now < view.LoadedAt;

    /// <summary>The runners a cycle works on: <paramref name="stored"/> when it read them, else the cached view.</summary>
    public IReadOnlyList<Runner> Use(IReadOnlyList<Runner> stored, bool reloaded, DateTimeOffset now)
    {
        if (reloaded || _view is null)
        {
            _view = new RunnerView(stored, now);
        }

        return _view.Runners;
    }

    /// <summary>Replaces the view's runners after everything was read again (e.g. after a refused transition).</summary>
    public void Reset(IReadOnlyList<Runner> runners, DateTimeOffset now) => _view = new RunnerView(runners, now);

    /// <summary>The view with <paramref name="updates"/> applied; returns the runners.</summary>
    public IReadOnlyList<Runner> Apply(IReadOnlyList<Runner> runners, IEnumerable<(string Id, Runner? Now)> updates)
    {
        var patched = Patch(runners, updates);
        _view = _view is { } view ? view with { Runners = patched } : null;
        return patched;
    }

    /// <summary>
    /// The live runners after the cycle, for the snapshot and the next cycle: the observed ones with every runner the
    /// cycle acted on read again (a handful of point reads), or the whole list when it acted on many.
    /// </summary>
    public async Task<IReadOnlyList<Runner>> AfterCycleAsync(
        IReadOnlyList<Runner> observed, IReadOnlyList<PlanAction> actions, IReadOnlyList<AdminRequest> requests, CancellationToken cancellationToken)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (action is CreateRunner create)
            {
                touched.Add(create.IdempotencyKey);
            }
            else if (action is DeleteRunner delete)
            {
                touched.Add(delete.RunnerId);
            }
        }

        foreach (var request in requests.Where(r => r.Kind == AdminRequestKind.DeleteRunner))
        {
            touched.Add(request.Target);
        }

        IReadOnlyList<Runner> after;
        if (touched.Count == 0)
        {
            after = observed;
        }
        else if (touched.Count > SnapshotPointReads)
        {
            after = await store.ListLiveRunnersAsync(null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var reread = new List<(string, Runner?)>(touched.Count);
            foreach (var id in touched)
            {
                reread.Add((id, await store.GetRunnerAsync(id, cancellationToken).ConfigureAwait(false)));
            }

            after = Patch(observed, reread);
        }

        _view = _view is { } view ? view with { Runners = after } : null;
        return after;
    }

    /// <summary>
    /// <paramref name="runners"/> (live, by id) with each update applied: a runner replaced by its new record, or left out
    /// when it is gone (or no longer stored).
    /// </summary>
    internal static IReadOnlyList<Runner> Patch(IReadOnlyList<Runner> runners, IEnumerable<(string Id, Runner? Now)> updates)
    {
        var byId = new SortedDictionary<string, Runner>(StringComparer.Ordinal);
        foreach (var runner in runners)
        {
            byId[runner.Id] = runner;
        }

        foreach (var (id, now) in updates)
        {
            if (now is { State: not RunnerState.Gone })
            {
                byId[id] = now;
            }
            else
            {
                byId.Remove(id);
            }
        }

        return [.. byId.Values];
    }
}
