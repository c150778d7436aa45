using Drover.Core.Policies;

namespace Drover.Core.Config;

/// <summary>What validation needs to know from outside the configuration: which policies and provider types exist.</summary>
public sealed record FleetConfigValidationOptions
{
    public static IReadOnlySet<string> DefaultPolicies { get; } = new HashSet<string>(["reactive", "idle-pool"], StringComparer.Ordinal);

    public static FleetConfigValidationOptions Default { get; } = new();

    /// <summary>Policy names a pool may use in <c>policy:</c>.</summary>
    public IReadOnlySet<string> Policies { get; init; } = DefaultPolicies;

    /// <summary>
    /// Checks a pool's <c>policySettings</c> for the named policy; each returned entry is reported at
    /// <c>pools[i].policySettings.&lt;key&gt;</c> (at <c>policySettings</c> itself when the key is empty).
    /// </summary>
    public Func<string, IReadOnlyDictionary<string, string>, IEnumerable<PolicySettingError>>? ValidatePolicySettings { get; init; }

    /// <summary>
    /// Checks a provider's <c>settings</c> for its type (first argument); each returned entry is reported at
    /// <c>providers[i].settings.&lt;key&gt;</c>. Types without a check return nothing.
    /// </summary>
    public Func<string, IReadOnlyDictionary<string, string>, IEnumerable<ProviderSettingError>>? ValidateProviderSettings { get; init; }

    /// <summary>
    /// The adapter modules: a provider's <c>type:</c> and a forge's <c>kind:</c> must name one, and each binds and checks
    /// the sections it owns.
    /// </summary>
    public Adapters.AdapterModules Modules { get; init; } = Adapters.AdapterModules.Empty;

    /// <summary>Provider types a provider may declare in <c>type:</c>.</summary>
    public IReadOnlyCollection<string> ProviderTypes { get; init; } = ["kubernetes", "process", "simulated"];

    /// <summary>Options whose known policies, and settings checks, are those of <paramref name="policies"/>.</summary>
    public static FleetConfigValidationOptions ForPolicies(IEnumerable<IScalingPolicy> policies)
    {
        var byName = new Dictionary<string, IScalingPolicy>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            if (!byName.TryAdd(policy.Name, policy))
            {
                throw new ArgumentException($"two scaling policies are named '{policy.Name}'", nameof(policies));
            }
        }

        return new FleetConfigValidationOptions
        {
            Policies = byName.Keys.ToHashSet(StringComparer.Ordinal),
            ValidatePolicySettings = (name, settings) => byName.TryGetValue(name, out var policy) ? policy.ValidateSettings(settings) : [],
        };
    }
}
