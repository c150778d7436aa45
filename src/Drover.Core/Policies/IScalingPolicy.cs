namespace Drover.Core.Policies;

/// <summary>
/// A scaling policy decides how many runners a pool should have right now. Policies are chosen per pool by
/// <see cref="Name"/>, are pure (values in, value out) and never see I/O or the wall clock. The planner clamps
/// the decision to the pool's effective min/max and budget afterwards.
/// </summary>
public interface IScalingPolicy
{
    /// <summary>The name pools refer to in <c>policy:</c>.</summary>
    string Name { get; }

    /// <summary>Checks the pool's <c>policySettings</c>; returns one entry per problem (empty when valid).</summary>
    IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings);

    PolicyDecision Decide(PolicyContext context);
}
