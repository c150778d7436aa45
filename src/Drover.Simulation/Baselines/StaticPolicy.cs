using Drover.Core.Policies;

namespace Drover.Simulation.Baselines;

/// <summary>A fixed fleet: always <c>runners</c> runners (setting), whatever the demand. Ephemeral runners are replaced as they exit.</summary>
public sealed class StaticPolicy : IScalingPolicy
{
    public const string PolicyName = "static";
    public const string RunnersKey = "runners";

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings)
    {
        var errors = BaselineSettings.Validate(PolicyName, settings, new Dictionary<string, int> { [RunnersKey] = 0 });
        if (!settings.ContainsKey(RunnersKey))
        {
            errors.Add(new PolicySettingError(RunnersKey, "required: the number of runners to keep"));
        }

        return errors;
    }

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var runners = BaselineSettings.Int(context.Pool.PolicySettings, RunnersKey, 0);
        return new PolicyDecision(runners, $"static: always {runners}");
    }
}
