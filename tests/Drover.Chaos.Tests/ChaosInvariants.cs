using System.Globalization;

namespace Drover.Chaos.Tests;

/// <summary>
/// The crash-safety invariants a chaos run is checked against (issue: never lose a job, never kill a running one, never
/// leave anything behind). Each broken one is added to <see cref="ChaosReport.Violations"/> with what was observed; the
/// world is read from the emulator (which runner ran which job, which registrations exist, which processes opened a
/// session) and from the provider's world (/proc, the Kubernetes emulator), never from Drover's own account.
/// </summary>
internal static class ChaosInvariants
{
    /// <summary>The most re-runs Drover asks for one job (its default).</summary>
    public const int MaxReruns = 2;

    public static void Check(ChaosReport report, ChaosOptions options)
    {
        var world = report.World;
        var v = report.Violations;
        var reruns = Reruns(world.Reruns);

        // 1. Every matchable job served exactly once, or re-run as designed. A re-run is either a new take of the same
        //    job or a new attempt (a later job of the same run and name) that is served once. Re-runs are counted from
        //    what the forge did (the re-runs the emulator carried out), not from Drover's calls: a re-run whose answer was lost
        //    after it was carried out is a re-run, and Drover must find it rather than ask again.
        foreach (var id in report.Jobs)
        {
            var job = world.Jobs.Single(j => j.Id == id);
            var rerun = reruns.GetValueOrDefault(id);
            var interrupted = report.Interrupted.Any(i => i.Job == id);
            var attempt = world.Jobs.FirstOrDefault(j => j.Id > id && j.RunId == job.RunId && j.Name == job.Name && !report.Jobs.Contains(j.Id));
            if (interrupted && rerun != 1)
            {
                v.Add($"job {job.Name} ({id}) lost its runner {report.Interrupted.First(i => i.Job == id).Runner} under it (spot interruption) and was re-run {rerun} times, not once");
            }
            else if (!interrupted && rerun > 0)
            {
                v.Add($"job {job.Name} ({id}) was re-run {rerun} times though its runner was not lost under it");
            }

            if (rerun > 0 && attempt is not null)
            {
                // Re-run as a new attempt: the original ended, the attempt is served once.
                if (attempt.Status != "completed" || attempt.Takes != 1 || attempt.Conclusion != "success")
                {
                    v.Add($"the re-run of job {job.Name} ({id}), attempt {attempt.Id}, is {attempt.Status}/{attempt.Conclusion ?? "-"}, taken {attempt.Takes} times: not served exactly once");
                }
            }
            else if (job.Status != "completed")
            {
                v.Add($"lost job: {job.Name} ({id}) is {job.Status} after the burst settled (taken {job.Takes} times{(interrupted ? ", its runner killed under it" : string.Empty)})");
            }
            else if (job.Takes != 1 + rerun)
            {
                v.Add($"job {job.Name} ({id}) was taken {job.Takes} times with {rerun} re-run(s) asked: served {(job.Takes > 1 + rerun ? "more than once" : "fewer times than re-run")}");
            }
            else if (job.Conclusion != "success")
            {
                v.Add($"job {job.Name} ({id}) ended {job.Conclusion} on runner {job.RunnerName} and was not re-run");
            }

            if (rerun > MaxReruns)
            {
                v.Add($"job {job.Name} ({id}) re-run {rerun} times, more than the limit of {MaxReruns}");
            }
        }

        var unmatchable = world.Jobs.Single(j => j.Id == report.UnmatchableJob);
        if (unmatchable.Takes != 0 || unmatchable.Status != "queued")
        {
            v.Add($"the job no pool takes ({unmatchable.Id}) was taken {unmatchable.Takes} times ({unmatchable.Status})");
        }

        // 2. No runner instance left after the grace window (a process found in /proc by the run's marker, a pod in the
        //    cluster), and nothing else a runner leaves (a pod's credential secret).
        if (world.Instances.Count > 0)
        {
            v.Add($"{world.Instances.Count} orphaned runner instance(s) ({report.Noun}) still there {options.Window.TotalSeconds:0} s after every job completed and the faults stopped: {string.Join(", ", world.Instances.Select(i => i.What))}");
        }

        if (world.LeftObjects.Count > 0)
        {
            v.Add($"{world.LeftObjects.Count} runner object(s) left {options.Window.TotalSeconds:0} s after every job completed and the faults stopped: {string.Join(", ", world.LeftObjects)}");
        }

        // 3. No forge registration left after the grace window.
        if (world.Registrations.Count > 0)
        {
            v.Add($"{world.Registrations.Count} registration(s) left at the forge {options.Window.TotalSeconds:0} s after every job completed and the faults stopped (orphan grace {options.OrphanGrace.TotalSeconds:0} s): {string.Join(", ", world.Registrations.Select(r => $"{r.Name} ({(r.Online ? "online" : "offline")}{(r.Busy ? ", busy" : string.Empty)})"))}");
        }

        // 4. No duplicate instance per idempotency key: one runner name, one process; one key, one pod at a time.
        foreach (var duplicate in world.Duplicates)
        {
            v.Add($"duplicate instance: {duplicate}");
        }

        // 5. The event log matches the world: an instance reported deleted has no process or pod and no registration left.
        foreach (var deleted in report.Events.Where(e => e.Kind == "runner.delete.succeeded").GroupBy(e => e.Subject, StringComparer.Ordinal))
        {
            var running = world.Instances.Where(i => i.Runners.Contains(deleted.Key, StringComparer.Ordinal)).Select(i => i.What).ToList();
            if (running.Count > 0)
            {
                v.Add($"event log lies: runner.delete.succeeded for {deleted.Key} (\"{deleted.First().Message}\") but its {report.Noun} {string.Join(", ", running)} is still there");
            }

            if (world.Registrations.FirstOrDefault(r => r.Name == deleted.Key) is { } left)
            {
                v.Add($"event log lies: runner.delete.succeeded for {deleted.Key} but its registration {left.Id} is still at the forge");
            }

            if (deleted.Count() > 1)
            {
                v.Add($"runner.delete.succeeded logged {deleted.Count()} times for {deleted.Key}: one deletion, one success");
            }
        }

        foreach (var lie in report.DeleteLies)
        {
            v.Add("event log lies: " + lie);
        }

        if (report.ApiLiveRunners > 0)
        {
            v.Add($"the API still lists {report.ApiLiveRunners} runner(s) not gone {options.Window.TotalSeconds:0} s after every job completed and the faults stopped, with {world.Instances.Count} runner instance(s) ({report.Noun}) there");
        }

        // 6. SIGTERM drains within a bounded time and exits 0.
        foreach (var stop in report.Stops.Where(s => s.Signal.StartsWith("SIGTERM", StringComparison.Ordinal)))
        {
            if (stop.ExitCode != 0)
            {
                v.Add($"{stop.Signal} during [{stop.Phase}]: exit {stop.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none within " + options.TermTimeout.TotalSeconds + " s"}, not 0");
            }
        }

        // 7. A replica restarted with the same replica id takes its own lease back at once.
        foreach (var (stop, lead) in report.LeadAfterRestart)
        {
            if (lead is not { } t || t > options.LeadWithin)
            {
                v.Add($"after the {stop.Signal} during [{stop.Phase}], the restarted replica (same data directory) led after {(lead is { } u ? $"{u.TotalSeconds:F1} s" : "more than 40 s")}, not within {options.LeadWithin.TotalSeconds:0} s");
            }
        }
    }

    /// <summary>
    /// Re-runs carried out at the forge per job (<c>POST /repos/{o}/{r}/actions/jobs/{id}/rerun</c> done by the emulator),
    /// whether or not the answer reached Drover: a re-run whose answer was lost, which Drover then finds already done, is
    /// a re-run all the same.
    /// </summary>
    private static Dictionary<long, int> Reruns(IReadOnlyList<long> rerunJobs) =>
        rerunJobs.GroupBy(j => j).ToDictionary(g => g.Key, g => g.Count());
}
