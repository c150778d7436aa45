using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Runners;

namespace Drover.Engine.Loop;

/// <summary>
/// The live runners as this replica last wrote or read them. As leader it is the only writer of runners, and every
/// write happens in a cycle (or at the start of a term), so a cycle reuses this view instead of reading every runner
/// from the store: after the cycle it is patched with the runners the cycle acted on. It is dropped when a cycle
/// fails or a term starts, and read again from the store at least every resync interval. That read is started between
/// cycles (<see cref="ReadAheadIfDue"/>) and taken by the next cycle only when it had completed before the cycle began
/// (no write can have happened since it started), so a cycle over 10,000 runners does not wait for it; a cycle reads
/// the store itself only when no such read is ready and the view is past the resync interval.
/// </summary>
internal sealed class RunnerCache(IStateStore store, TimeSpan resyncInterval)
{
    /// <summary>Up to this many runners acted on, the snapshot re-reads just those instead of listing every runner.</summary>
    private const int SnapshotPointReads = 16;

    private RunnerView? _view;

    /// <summary>Raised by everything that may write runners (a cycle, a new term, a drain): a read ahead started before is stale.</summary>
    private long _generation;

    private (Task<IReadOnlyList<Runner>?> Read, DateTimeOffset At, long Generation)? _readAhead;

    /// <summary>Forgets the view: the next cycle reads every runner from the store.</summary>
    public void Drop()
    {
        _view = null;
        _readAhead = null;
        _generation++;
    }

    /// <summary>
    /// Marks the start of a cycle, before it writes anything: a read ahead that completed by now becomes the view (it
    /// saw every write of the cycles before); one still running is dropped.
    /// </summary>
    public void BeginCycle()
    {
        if (_readAhead is { } ahead && ahead.Generation == _generation && _view is not null
            && ahead.Read.IsCompletedSuccessfully && ahead.Read.Result is { } runners)
        {
            _view = new RunnerView(runners, ahead.At);
        }

        _readAhead = null;
        _generation++;
    }

    /// <summary>
    /// After a cycle, with no write until the next begins: when the view is three quarters through its resync interval,
    /// starts reading every runner from the store now, for the next cycle to take (<see cref="BeginCycle"/>).
    /// </summary>
    public void ReadAheadIfDue(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_view is not { } view || _readAhead is not null || now - view.LoadedAt < resyncInterval * 3 / 4)
        {
            return;
        }

        _readAhead = (ReadAsync(cancellationToken), now, _generation);
    }

    /// <summary>Completes when the read ahead started last (if any) has; for tests.</summary>
    internal Task ReadAhead => _readAhead?.Read ?? Task.CompletedTask;

    /// <summary>The live runners, or null when the read failed (the next cycle then reads them itself).</summary>
    private async Task<IReadOnlyList<Runner>?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            return await store.ListLiveRunnersAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StateStoreException or OperationCanceledException)
        {
            return null;
        }
    }

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
    /// when it is gone (or no longer stored); in id order, one runner per id. A merge of the few updates into the list,
    /// which is already in id order: a cycle over 10,000 runners copies them once instead of sorting them again.
    /// </summary>
    internal static IReadOnlyList<Runner> Patch(IReadOnlyList<Runner> runners, IEnumerable<(string Id, Runner? Now)> updates)
    {
        var latest = new Dictionary<string, Runner?>(StringComparer.Ordinal);
        foreach (var (id, now) in updates)
        {
            latest[id] = now;
        }

        IEnumerable<Runner> ordered = InIdOrder(runners) ? runners : runners.OrderBy(r => r.Id, StringComparer.Ordinal);
        var kept = new List<Runner>(runners.Count + latest.Count);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var runner in ordered)
        {
            var next = runner;
            if (latest.TryGetValue(runner.Id, out var updated))
            {
                next = updated;
                replaced.Add(runner.Id);
            }

            if (kept.Count > 0 && kept[^1].Id == runner.Id)
            {
                // The same id twice: the later one stands, as it would in a map by id.
                kept.RemoveAt(kept.Count - 1);
            }

            if (next is { State: not RunnerState.Gone })
            {
                kept.Add(next);
            }
        }

        var added = latest
            .Where(u => !replaced.Contains(u.Key) && u.Value is { State: not RunnerState.Gone })
            .Select(u => u.Value!)
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
        return added.Count == 0 ? kept : Merge(kept, added);
    }

    private static bool InIdOrder(IReadOnlyList<Runner> runners)
    {
        for (var i = 1; i < runners.Count; i++)
        {
            if (string.CompareOrdinal(runners[i - 1].Id, runners[i].Id) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static List<Runner> Merge(List<Runner> left, List<Runner> right)
    {
        var merged = new List<Runner>(left.Count + right.Count);
        int l = 0, r = 0;
        while (l < left.Count || r < right.Count)
        {
            merged.Add(r >= right.Count || (l < left.Count && string.CompareOrdinal(left[l].Id, right[r].Id) <= 0) ? left[l++] : right[r++]);
        }

        return merged;
    }
}
