using System.Collections;
using Drover.Core.Demand;

namespace Drover.Simulation.Engine;

/// <summary>The ledger's waiting and running jobs as one collection, without copying: what the planner is given.</summary>
internal sealed class LedgerView(JobLedger ledger) : IReadOnlyCollection<Job>
{
    public int Count => ledger.Waiting.Count + ledger.Running.Count;

    public IEnumerator<Job> GetEnumerator()
    {
        foreach (var job in ledger.Waiting)
        {
            yield return job;
        }

        foreach (var job in ledger.Running)
        {
            yield return job;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
