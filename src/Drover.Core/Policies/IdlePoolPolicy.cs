using System.Globalization;

namespace Drover.Core.Policies;

/// <summary>
/// GitLab-style idle pool, after taskscaler: capacity is counted in job slots, <c>capacityPerInstance</c> per runner.
/// Idle slots kept = <c>max(Limits.Idle, min(ceil(inUse * scaleFactor), scaleFactorLimit))</c>;
/// desired = <c>ceil((inUse + pending + idle) / capacityPerInstance)</c>, with inUse the running jobs and pending the
/// queued ones. The planner clamps to min/max; how long surplus idle runners live is the pool's <c>idleTimeout</c>.
/// </summary>
public sealed class IdlePoolPolicy : IScalingPolicy
{
    /// <inheritdoc/>
    public string Name => "idle-pool";

    /// <inheritdoc/>
    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<PolicySettingError>();
        IdlePoolSettings.Parse(settings, errors);
        return errors;
    }

    /// <inheritdoc/>
    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Settings are validated at load; a malformed key that slips through keeps its default and is named in the reason.
        var errors = new List<PolicySettingError>();
        var settings = IdlePoolSettings.Parse(context.Pool.PolicySettings, errors);

        long inUse = Math.Max(0, context.Demand.Running);
        long pending = Math.Max(0, context.Demand.Queued);
        var idleCount = Math.Max(0, context.Limits.Idle);

        // min() before the cast: the product may exceed int, the limit never does.
        var scaled = (int)Math.Min(Math.Ceiling(inUse * settings.ScaleFactor), settings.ScaleFactorLimit);
        long idle = Math.Max(idleCount, scaled);

        var slots = inUse + pending + idle;
        var instances = (slots + settings.CapacityPerInstance - 1) / settings.CapacityPerInstance;
        var desired = (int)Math.Min(instances, int.MaxValue);

        var schedule = context.Limits.Schedule is { } name ? $" from schedule {name}" : "";
        var slotWord = settings.CapacityPerInstance == 1 ? "slot" : "slots";
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"idle-pool: {inUse} in use + {pending} pending + {idle} idle slots (idle count {idleCount}{schedule}, " +
            $"scale factor {settings.ScaleFactor}, limit {settings.ScaleFactorLimit}) over {settings.CapacityPerInstance} {slotWord}/instance = {desired}");
        if (errors.Count > 0)
        {
            reason += $"; ignored invalid settings: {string.Join(", ", errors.Select(error => error.Key))}";
        }

        return new PolicyDecision(desired, reason);
    }
}
