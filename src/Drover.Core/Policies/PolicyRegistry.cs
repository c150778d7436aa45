namespace Drover.Core.Policies;

/// <summary>The scaling policies pools can name. Duplicate names are refused when the registry is built.</summary>
public sealed class PolicyRegistry
{
    private readonly Dictionary<string, IScalingPolicy> _policies = new(StringComparer.Ordinal);

    public PolicyRegistry(IEnumerable<IScalingPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        foreach (var policy in policies)
        {
            if (!_policies.TryAdd(policy.Name, policy))
            {
                throw new ArgumentException($"Two scaling policies are named '{policy.Name}'.", nameof(policies));
            }
        }
    }

    public IReadOnlyCollection<string> Names => _policies.Keys;

    public IReadOnlyCollection<IScalingPolicy> Policies => _policies.Values;

    public bool Contains(string name) => _policies.ContainsKey(name);

    public IScalingPolicy Get(string name) =>
        _policies.TryGetValue(name, out var policy)
            ? policy
            : throw new KeyNotFoundException($"No scaling policy is named '{name}'. Known: {string.Join(", ", _policies.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>The policies that ship with Drover.</summary>
    public static PolicyRegistry CreateDefault() => new([new ReactivePolicy(), new IdlePoolPolicy(), new PredictivePolicy()]);
}
