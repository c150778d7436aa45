using System.Globalization;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Runners;

namespace Drover.Simulation.Engine;

/// <summary>
/// A simulated forge. Jobs queue; the forge assigns, as GitHub and GitLab do: an idle runner whose labels satisfy a
/// job takes the oldest waiting job it can run, and a job arriving while such a runner is idle starts at once.
/// Ephemeral runners exit after one job. Every change is sent to Drover as a job event through the delivery channel.
/// A job whose runner is lost mid-run is queued again as a new attempt (a new job id, as a forge re-run has).
/// </summary>
internal sealed class SimulatedForge
{
    private readonly SimulationScenario _scenario;
    private readonly IReadOnlyList<PoolConfig> _pools;
    private readonly SimulatedProvider _provider;
    private readonly DeliveryChannel _deliveries;
    private readonly EventQueue _queue;
    private readonly MetricsRecorder _metrics;
    private readonly VirtualTime _time;
    private readonly long[] _arrival;
    private readonly long[] _duration;
    private readonly int[] _labelSet;
    private readonly long[] _started;
    private readonly int[] _attempt;
    private readonly JobPhase[] _phase;
    private readonly int[][] _poolsForLabelSet;
    private readonly int[][] _labelSetsForPool;
    private readonly PriorityQueue<int, (long Arrival, int Job)>[] _waiting;
    private readonly List<SimRunner>[] _idle;

    public SimulatedForge(SimulationScenario scenario, long[] arrival, long[] duration, int[] labelSet, SimulatedProvider provider, DeliveryChannel deliveries, EventQueue queue, MetricsRecorder metrics, VirtualTime time)
    {
        _scenario = scenario;
        _pools = scenario.Fleet.Pools;
        _provider = provider;
        _deliveries = deliveries;
        _queue = queue;
        _metrics = metrics;
        _time = time;
        _arrival = arrival;
        _duration = duration;
        _labelSet = labelSet;
        _started = new long[arrival.Length];
        _attempt = new int[arrival.Length];
        _phase = new JobPhase[arrival.Length];
        var kind = scenario.Fleet.FindForge(scenario.Forge)?.Kind ?? ForgeKind.GitHub;
        var sets = scenario.LabelSets.Count;
        _waiting = new PriorityQueue<int, (long, int)>[sets];
        var byPool = new List<int>[_pools.Count];
        _idle = new List<SimRunner>[_pools.Count];
        for (var p = 0; p < _pools.Count; p++)
        {
            byPool[p] = [];
            _idle[p] = [];
        }

        _poolsForLabelSet = new int[sets][];
        for (var s = 0; s < sets; s++)
        {
            _waiting[s] = new PriorityQueue<int, (long, int)>();
            var matching = new List<int>();
            for (var p = 0; p < _pools.Count; p++)
            {
                var pool = _pools[p];
                var labels = new HashSet<string>(LabelRules.RunnerLabelsOf(pool, kind), StringComparer.OrdinalIgnoreCase);
                if (pool.Forge == scenario.Forge && pool.Scope.Covers(scenario.ScopeOf(s)) && LabelRules.Matches(kind, labels, pool.RunUntagged, scenario.LabelSets[s]))
                {
                    matching.Add(p);
                    byPool[p].Add(s);
                }
            }

            _poolsForLabelSet[s] = [.. matching];
        }

        _labelSetsForPool = [.. byPool.Select(l => l.ToArray())];
    }

    public int Completed { get; private set; }

    public JobKey KeyOf(int job) => KeyOf(job, _attempt[job]);

    public JobKey KeyOf(int job, int attempt) => new(
        _scenario.Forge,
        attempt == 0 ? job.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{job}.{attempt}"));

    /// <summary>The trace job and attempt a key names; false for keys the simulation did not make.</summary>
    public static bool TryParse(JobKey key, out int job, out int attempt)
    {
        var id = key.Id.AsSpan();
        var dot = id.IndexOf('.');
        attempt = 0;
        return dot < 0
            ? int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out job)
            : int.TryParse(id[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out job)
              && int.TryParse(id[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out attempt);
    }

    public JobPhase PhaseOf(int job) => _phase[job];

    public int AttemptOf(int job) => _attempt[job];

    public int LabelSetOf(int job) => _labelSet[job];

    public long StartedAt(int job) => _started[job];

    /// <summary>Jobs waiting for a runner right now (what a poll of the forge's queue returns).</summary>
    public void CopyWaiting(List<int> into)
    {
        foreach (var queue in _waiting)
        {
            foreach (var (job, _) in queue.UnorderedItems)
            {
                into.Add(job);
            }
        }
    }

    /// <summary>The queued event the forge would report for <paramref name="job"/>'s current attempt.</summary>
    public JobEvent QueuedEvent(int job, long at) => new()
    {
        Key = KeyOf(job),
        Kind = JobEventKind.Queued,
        At = _time.At(at),
        Labels = _scenario.LabelSets[_labelSet[job]],
        Scope = _scenario.ScopeOf(_labelSet[job]),
        RefKind = _scenario.RefKindOf(_labelSet[job]),
    };

    public void Arrive(int job, long now)
    {
        _metrics.Arrival(now);
        Enqueue(job, now);
    }

    /// <summary>A runner just registered (or finished a job and stays): it takes the oldest job it can run, or waits.</summary>
    public void OfferRunner(SimRunner runner, long now)
    {
        var best = -1;
        var bestKey = (long.MaxValue, int.MaxValue);
        foreach (var set in _labelSetsForPool[runner.Pool])
        {
            if (_waiting[set].TryPeek(out var job, out var key) && key.CompareTo(bestKey) < 0)
            {
                best = set;
                bestKey = key;
            }
        }

        if (best < 0)
        {
            _idle[runner.Pool].Add(runner);
            return;
        }

        Start(_waiting[best].Dequeue(), runner, now);
    }

    /// <summary>The runner's job finished: it exits (ephemeral) or waits for the next one.</summary>
    public void JobDone(SimRunner runner, int incarnation, long now)
    {
        if (runner.Incarnation != incarnation || runner.Job < 0 || runner.Record.State != RunnerState.Busy)
        {
            return;
        }

        var job = runner.Job;
        _phase[job] = JobPhase.Done;
        Completed++;
        _metrics.JobsCompleted = Completed;
        _deliveries.Send(new JobEvent { Key = KeyOf(job), Kind = JobEventKind.Completed, At = _time.At(now), Labels = _scenario.LabelSets[_labelSet[job]], Scope = _scenario.ScopeOf(_labelSet[job]), RunnerName = runner.Record.Id }, job, now);
        runner.Job = -1;
        if (_provider.PoolOf(runner).Ephemeral)
        {
            _provider.Move(runner, RunnerState.Gone, now);
        }
        else
        {
            _provider.Move(runner, RunnerState.Idle, now);
            OfferRunner(runner, now);
        }
    }

    /// <summary>The job's runner was lost mid-run: the attempt ends and the job is queued again as a new attempt.</summary>
    public void Requeue(int job, long now)
    {
        if (job < 0 || _phase[job] != JobPhase.Running)
        {
            return;
        }

        _metrics.JobsRequeued++;
        _deliveries.Send(new JobEvent { Key = KeyOf(job), Kind = JobEventKind.Completed, At = _time.At(now), Labels = _scenario.LabelSets[_labelSet[job]], Scope = _scenario.ScopeOf(_labelSet[job]) }, job, now);
        _attempt[job]++;
        Enqueue(job, now);
    }

    /// <summary>A runner was deleted or failed: it is no longer offered jobs.</summary>
    public void RunnerRemoved(SimRunner runner) => _idle[runner.Pool].Remove(runner);

    private void Enqueue(int job, long now)
    {
        _phase[job] = JobPhase.Waiting;
        _deliveries.Send(QueuedEvent(job, now), job, now);
        foreach (var pool in _poolsForLabelSet[_labelSet[job]])
        {
            var idle = _idle[pool];
            if (idle.Count > 0)
            {
                var runner = idle[0];
                idle.RemoveAt(0);
                Start(job, runner, now);
                return;
            }
        }

        _waiting[_labelSet[job]].Enqueue(job, (_arrival[job], job));
    }

    private void Start(int job, SimRunner runner, long now)
    {
        _phase[job] = JobPhase.Running;
        _started[job] = now;
        runner.Job = job;
        runner.Incarnation++;
        var key = KeyOf(job);
        _provider.Move(runner, RunnerState.Busy, now);
        runner.Record = runner.Record with { Job = key };
        _metrics.Started(now, job, VirtualTime.ToSeconds(now - _arrival[job]));
        _deliveries.Send(new JobEvent { Key = key, Kind = JobEventKind.Started, At = _time.At(now), Labels = _scenario.LabelSets[_labelSet[job]], Scope = _scenario.ScopeOf(_labelSet[job]), RunnerName = runner.Record.Id }, job, now);
        _queue.Schedule(now + _duration[job], new SimEvent(SimEventKind.JobDone, job, runner, Incarnation: runner.Incarnation));
    }
}
