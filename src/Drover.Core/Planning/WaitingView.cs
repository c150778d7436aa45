using System.Collections;
using Drover.Core.Demand;

namespace Drover.Core.Planning;

/// <summary>A pool's waiting jobs less the ones a busy runner already took, without copying the rest.</summary>
internal sealed class WaitingView : IReadOnlyCollection<Job>
{
    private readonly IReadOnlyCollection<Job> _jobs;
    private readonly HashSet<JobKey> _taken;

    private WaitingView(IReadOnlyCollection<Job> jobs, HashSet<JobKey> taken)
    {
        _jobs = jobs;
        _taken = taken;
    }

    /// <summary>The taken keys are all in <paramref name="jobs"/> (the planner finds them there).</summary>
    public int Count => _jobs.Count - _taken.Count;

    public static IReadOnlyCollection<Job> Of(IReadOnlyCollection<Job> jobs, HashSet<JobKey>? taken) =>
        taken is null || taken.Count == 0 ? jobs : new WaitingView(jobs, taken);

    public IEnumerator<Job> GetEnumerator()
    {
        foreach (var job in _jobs)
        {
            if (!_taken.Contains(job.Key))
            {
                yield return job;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
