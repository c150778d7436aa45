using Drover.Core.Config;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>
/// Finds what leaked on either side: provider instances no runner record owns, and offline forge registrations with no
/// runner behind them. Both are removed only after the fleet's orphan grace period, so an instance whose record is
/// still being written (the intent exists under its idempotency key) or a runner still registering is never touched.
/// Busy forge runners are never unregistered.
/// </summary>
internal static class OrphanDetection
{
    /// <summary>Adds the orphan actions to <paramref name="cycle"/>; returns when the next orphan's grace period ends, if any is pending.</summary>
    public static DateTimeOffset? Plan(PlanningCycle cycle)
    {
        DateTimeOffset? wake = null;
        if (cycle.Observed.Instances.Count == 0 && cycle.Observed.ForgeRunners.Count == 0)
        {
            return wake;
        }

        var grace = cycle.Config.OrphanGracePeriod;
        var now = cycle.Now;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var instanceIds = new HashSet<(string Provider, string Id)>();
        var forgeIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var runner in cycle.Observed.Runners)
        {
            if (runner.State == RunnerState.Gone)
            {
                continue;
            }

            keys.Add(runner.IdempotencyKey);
            if (runner.InstanceId is { } instanceId)
            {
                instanceIds.Add((runner.Provider, instanceId));
            }

            if (runner.ForgeRunnerId is { } forgeId)
            {
                forgeIds.Add(forgeId);
            }
        }

        // Only the unowned ones are put in order (the actions' order): a fleet of 10,000 owned instances and
        // registrations is looked up, not sorted, every cycle.
        var unownedInstances = cycle.Observed.Instances
            .Where(i => !instanceIds.Contains((i.Provider, i.InstanceId)) && !(i.IdempotencyKey is { } key && keys.Contains(key)));
        foreach (var instance in unownedInstances.OrderBy(i => i.Provider, StringComparer.Ordinal).ThenBy(i => i.InstanceId, StringComparer.Ordinal))
        {
            if (now - instance.CreatedAt >= grace)
            {
                cycle.Actions.Add(new DeleteInstance(instance.Provider, instance.InstanceId, $"no runner record owns it ({DurationParser.Format(now - instance.CreatedAt)} old, grace {DurationParser.Format(grace)})"));
            }
            else
            {
                wake = PoolPlanning.Earliest(wake, instance.CreatedAt, grace, now);
            }
        }

        var unownedRegistrations = cycle.Observed.ForgeRunners.Where(f => !forgeIds.Contains(f.Id) && !keys.Contains(f.Name));
        foreach (var forgeRunner in unownedRegistrations.OrderBy(f => f.Forge, StringComparer.Ordinal).ThenBy(f => f.Id, StringComparer.Ordinal))
        {
            if (forgeRunner.Busy)
            {
                cycle.Notes.Add($"forge runner '{forgeRunner.Name}' ({forgeRunner.Forge} #{forgeRunner.Id}) has no runner record but is busy; left alone");
            }
            else if (!forgeRunner.Online && now - forgeRunner.FirstSeenAt >= grace)
            {
                cycle.Actions.Add(new UnregisterForgeRunner(forgeRunner.Forge, forgeRunner.Id, forgeRunner.Name, $"offline with no instance behind it for {DurationParser.Format(now - forgeRunner.FirstSeenAt)} (grace {DurationParser.Format(grace)})"));
            }
            else if (!forgeRunner.Online)
            {
                wake = PoolPlanning.Earliest(wake, forgeRunner.FirstSeenAt, grace, now);
            }
        }

        return wake;
    }
}
