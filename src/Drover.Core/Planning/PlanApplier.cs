using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>
/// The state a plan leads to when every action is accepted: creates become Requested runners, deletes put runners in
/// Draining, orphans disappear. Used by the simulator and to check that planning is idempotent.
/// </summary>
public static class PlanApplier
{
    public static ObservedState Apply(ObservedState state, Plan plan, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(plan);
        var runners = state.Runners.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var order = state.Runners.Select(r => r.Id).ToList();
        var instances = state.Instances.ToList();
        var forgeRunners = state.ForgeRunners.ToList();
        var ordinals = new Dictionary<string, long>(state.NextOrdinals, StringComparer.Ordinal);

        foreach (var action in plan.Actions)
        {
            switch (action)
            {
                case CreateRunner create:
                    if (!runners.ContainsKey(create.IdempotencyKey))
                    {
                        order.Add(create.IdempotencyKey);
                    }

                    runners[create.IdempotencyKey] = create.ToRequestedRunner(now);
                    ordinals[create.Pool] = Math.Max(ordinals.GetValueOrDefault(create.Pool), create.Ordinal + 1);
                    break;
                case DeleteRunner delete when runners.TryGetValue(delete.RunnerId, out var runner):
                    runners[delete.RunnerId] = runner with { State = RunnerState.Draining, StateSince = now };
                    break;
                case UnregisterForgeRunner unregister:
                    forgeRunners.RemoveAll(f => f.Forge == unregister.Forge && f.Id == unregister.ForgeRunnerId);
                    break;
                case DeleteInstance deleteInstance:
                    instances.RemoveAll(i => i.Provider == deleteInstance.Provider && i.InstanceId == deleteInstance.InstanceId);
                    break;
            }
        }

        return state with
        {
            Runners = order.Select(id => runners[id]).ToList(),
            Instances = instances,
            ForgeRunners = forgeRunners,
            NextOrdinals = ordinals,
        };
    }
}
