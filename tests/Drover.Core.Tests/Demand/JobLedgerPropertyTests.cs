using CsCheck;
using Drover.Core.Demand;

namespace Drover.Core.Tests.Demand;

public sealed class JobLedgerPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>In-order event kinds of the lifecycles a job may show, including ones whose early events were never seen.</summary>
    private static readonly JobEventKind[][] Lifecycles =
    [
        [JobEventKind.Queued],
        [JobEventKind.Queued, JobEventKind.Started],
        [JobEventKind.Queued, JobEventKind.Started, JobEventKind.Completed],
        [JobEventKind.Queued, JobEventKind.Cancelled],
        [JobEventKind.Queued, JobEventKind.Started, JobEventKind.Cancelled],
        [JobEventKind.Started, JobEventKind.Completed],
        [JobEventKind.Completed],
    ];

    private static readonly string[][] LabelSets = [["linux"], ["linux", "x64"], ["docker", "gpu"], ["windows"]];

    private static readonly Gen<EventSpec> GenEvent =
        Gen.Select(Gen.Bool, Gen.Bool, Gen.Int[1, 3], Gen.Int[0, 2], (hasLabels, hasScope, copies, redelivery) =>
            new EventSpec(hasLabels, hasScope, copies, redelivery));

    private static readonly Gen<JobSpec> GenJob =
        Gen.Select(Gen.Int[0, Lifecycles.Length - 1], Gen.Int[0, LabelSets.Length - 1], Gen.Int[0, 120], GenEvent.Array[3], Gen.Bool,
            (lifecycle, labels, queuedMinute, events, hasRunner) => new JobSpec(lifecycle, labels, queuedMinute, events, hasRunner));

    [Fact]
    public void Apply_AnyInterleavingWithDuplicates_EqualsInOrderDedupedLedger()
    {
        var gen =
            from jobs in GenJob.Array[1, 40]
            from deliveries in Gen.Shuffle(Deliveries(jobs))
            select (jobs, deliveries);

        gen.Sample((jobs, deliveries) =>
        {
            var expected = new JobLedger();
            foreach (var e in InOrder(jobs))
            {
                expected.Apply(e);
            }

            var actual = new JobLedger();
            foreach (var e in deliveries)
            {
                actual.Apply(e);
            }

            Assert.Equal(JobSnapshot.Of(expected), JobSnapshot.Of(actual));
            Assert.Equal(JobSnapshot.Keys(expected.Waiting), JobSnapshot.Keys(actual.Waiting));
            Assert.Equal(JobSnapshot.Keys(expected.Running), JobSnapshot.Keys(actual.Running));
        }, iter: 500);
    }

    /// <summary>Each job's events in forge order, each once.</summary>
    private static IEnumerable<JobEvent> InOrder(JobSpec[] jobs) =>
        jobs.SelectMany((job, index) => Events(job, index));

    /// <summary>Every event delivered 1-3 times: copies reuse the delivery id, carry a fresh one, or none.</summary>
    private static JobEvent[] Deliveries(JobSpec[] jobs)
    {
        var deliveries = new List<JobEvent>();
        foreach (var (job, index) in jobs.Select((job, index) => (job, index)))
        {
            var events = Events(job, index).ToArray();
            for (var n = 0; n < events.Length; n++)
            {
                var spec = job.Events[n];
                deliveries.Add(events[n]);
                for (var copy = 1; copy < spec.Copies; copy++)
                {
                    deliveries.Add(spec.Redelivery switch
                    {
                        0 => events[n],
                        1 => events[n] with { DeliveryId = $"{events[n].DeliveryId}-again-{copy}" },
                        _ => events[n] with { DeliveryId = null },
                    });
                }
            }
        }

        return [.. deliveries];
    }

    private static IEnumerable<JobEvent> Events(JobSpec job, int index)
    {
        var key = new JobKey(index % 2 == 0 ? "github" : "gitlab", $"job-{index}");
        var kinds = Lifecycles[job.Lifecycle];
        for (var n = 0; n < kinds.Length; n++)
        {
            var spec = job.Events[n];
            var kind = kinds[n];
            yield return new JobEvent
            {
                Key = key,
                Kind = kind,
                At = T0.AddMinutes(job.QueuedMinute + (n * 3)),
                Labels = spec.HasLabels ? LabelSets[job.Labels] : [],
                Scope = spec.HasScope ? $"acme/repo-{index % 3}" : null,
                RunId = spec.HasScope ? 1000 + index : null,
                RunnerName = job.HasRunner && kind != JobEventKind.Queued ? $"runner-{index}" : null,
                DeliveryId = $"delivery-{index}-{n}",
            };
        }
    }

    private sealed record EventSpec(bool HasLabels, bool HasScope, int Copies, int Redelivery);

    private sealed record JobSpec(int Lifecycle, int Labels, int QueuedMinute, EventSpec[] Events, bool HasRunner);
}
