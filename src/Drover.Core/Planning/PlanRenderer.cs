using System.Globalization;
using System.Text;

namespace Drover.Core.Planning;

/// <summary>Writes a plan for a person to read before it is applied: per pool, the figures, then each action and why.</summary>
public static class PlanRenderer
{
    public static string Render(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"Drover plan at {plan.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z for {plan.Pools.Count} pool(s)").AppendLine().AppendLine();

        var byPool = plan.Actions.OfType<CreateRunner>().ToLookup(a => a.Pool);
        var deletesByPool = plan.Actions.OfType<DeleteRunner>().ToLookup(a => a.Pool);
        var configured = new HashSet<string>(plan.Pools.Select(p => p.Pool), StringComparer.Ordinal);
        foreach (var pool in plan.Pools)
        {
            var l = pool.Limits;
            text.Append(inv, $"pool {pool.Pool}  ({pool.Policy}; min {l.Min}, idle {l.Idle}, max {l.Max}");
            if (l.Schedule is not null)
            {
                text.Append(inv, $"; schedule {l.Schedule}");
            }

            text.AppendLine(")");
            var r = pool.Runners;
            text.Append(inv, $"    demand   {pool.Demand.Queued} queued, {pool.Demand.Running} running").AppendLine();
            text.Append(inv, $"    runners  {r.Booting} booting, {r.Idle} idle, {r.Busy} busy, {r.Draining} draining, {r.Failed} failed").AppendLine();
            text.Append(inv, $"    desired  {pool.Desired}  ({pool.Reason})").AppendLine();
            foreach (var create in byPool[pool.Pool])
            {
                text.Append(inv, $"  + create {create.IdempotencyKey} on {create.Provider}: {create.Reason}").AppendLine();
            }

            foreach (var delete in deletesByPool[pool.Pool])
            {
                text.Append(inv, $"  - delete {delete.RunnerId} [{Kebab(delete.Cause)}]: {delete.Reason}").AppendLine();
            }

            foreach (var note in pool.Notes)
            {
                text.Append(inv, $"  ! {note}").AppendLine();
            }

            text.AppendLine();
        }

        var removed = plan.Actions.OfType<DeleteRunner>().Where(d => !configured.Contains(d.Pool)).ToList();
        var orphans = plan.Actions.Where(a => a is UnregisterForgeRunner or DeleteInstance).ToList();
        if (removed.Count > 0 || orphans.Count > 0)
        {
            text.AppendLine("cleanup");
            foreach (var delete in removed)
            {
                text.Append(inv, $"  - delete {delete.RunnerId} [{Kebab(delete.Cause)}]: {delete.Reason}").AppendLine();
            }

            foreach (var action in orphans)
            {
                text.AppendLine(action switch
                {
                    UnregisterForgeRunner u => $"  - unregister {u.Forge} runner #{u.ForgeRunnerId} '{u.Name}': {u.Reason}",
                    DeleteInstance d => $"  - delete instance {d.InstanceId} on {d.Provider}: {d.Reason}",
                    _ => string.Empty,
                });
            }

            text.AppendLine();
        }

        foreach (var note in plan.Notes)
        {
            text.Append(inv, $"! {note}").AppendLine();
        }

        if (plan.Unmatched.Count > 0)
        {
            text.Append(inv, $"unmatched: {plan.Unmatched.Count} waiting job(s) no pool can take").AppendLine();
            foreach (var job in plan.Unmatched.Take(20))
            {
                text.Append(inv, $"  ? {job.Key} labels [{string.Join(", ", job.Labels)}]{(job.Scope is null ? string.Empty : " from " + job.Scope)}").AppendLine();
            }

            if (plan.Unmatched.Count > 20)
            {
                text.Append(inv, $"  ... and {plan.Unmatched.Count - 20} more").AppendLine();
            }

            text.AppendLine();
        }

        text.AppendLine(Summary(plan));
        return text.ToString();
    }

    /// <summary>One line: how many of each action, or "No changes." for an empty plan.</summary>
    public static string Summary(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty)
        {
            return "No changes. The fleet matches its pools.";
        }

        var creates = plan.Actions.Count(a => a is CreateRunner);
        var deletes = plan.Actions.Count(a => a is DeleteRunner);
        var unregisters = plan.Actions.Count(a => a is UnregisterForgeRunner);
        var instances = plan.Actions.Count(a => a is DeleteInstance);
        return string.Create(CultureInfo.InvariantCulture, $"Plan: {creates} to create, {deletes} to delete, {unregisters} forge runner(s) to unregister, {instances} orphan instance(s) to delete.");
    }

    private static string Kebab(DeleteCause cause) => cause switch
    {
        DeleteCause.ScaleDown => "scale-down",
        DeleteCause.MaxLifetime => "max-lifetime",
        DeleteCause.PoolRemoved => "pool-removed",
        DeleteCause.BootTimeout => "boot-timeout",
        _ => cause.ToString().ToLowerInvariant(),
    };
}
