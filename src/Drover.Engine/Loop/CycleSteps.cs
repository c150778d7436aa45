using Drover.Engine.Metrics;

namespace Drover.Engine.Loop;

/// <summary>
/// Times the steps of one control cycle into <c>drover_plan_cycle_step_seconds{step}</c>: each <see cref="Done"/> records
/// the time since the previous one (or the start) under the step's name, so the steps of a cycle sum to its duration.
/// </summary>
internal sealed class CycleSteps(TimeProvider time, EngineMetrics metrics)
{
    /// <summary>Deliveries and job events folded into the ledger and stored.</summary>
    public const string Demand = "demand";

    /// <summary>Operator requests read, provider instances and forge runners listed, live runners read.</summary>
    public const string Observe = "observe";

    /// <summary>Runner state changes the observations imply, written.</summary>
    public const string Sync = "sync";

    /// <summary>Where started jobs' waits went, recorded.</summary>
    public const string Phases = "phases";

    /// <summary>Budget spend read before planning.</summary>
    public const string Budgets = "budgets";

    /// <summary>Old events, jobs, runners and cost lines deleted in bounded batches.</summary>
    public const string Retention = "retention";

    /// <summary>Budget status after costing and the alerts it raises.</summary>
    public const string Alerts = "alerts";

    /// <summary>The planner's diff.</summary>
    public const string Plan = "plan";

    /// <summary>The plan's actions carried out.</summary>
    public const string Execute = "execute";

    /// <summary>Operator requests and re-runs of lost jobs.</summary>
    public const string Requests = "requests";

    /// <summary>The live cost ledger's pass.</summary>
    public const string Cost = "cost";

    /// <summary>The runner cache and the snapshot that ends the cycle.</summary>
    public const string Snapshot = "snapshot";

    private long _last = time.GetTimestamp();

    /// <summary>Records the time since the previous step under <paramref name="step"/>.</summary>
    public void Done(string step)
    {
        var now = time.GetTimestamp();
        metrics.CycleStep(step, time.GetElapsedTime(_last, now));
        _last = now;
    }
}
