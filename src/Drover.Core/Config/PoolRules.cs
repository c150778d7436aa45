using System.Text.RegularExpressions;

namespace Drover.Core.Config;

/// <summary>Rules for one pool: references, forge-specific fields, limits, policy, template, budget, timeouts.</summary>
internal static partial class PoolRules
{
    public static void Check(ValidationContext context, int index)
    {
        var pool = context.Config.Pools[index];
        var path = $"pools[{index}]";
        var complete = !context.Bound.IncompletePools.Contains(index);

        CheckReference(context, $"{path}.forge", "forge", pool.Forge, context.Config.Forges.Select(f => f.Name));
        CheckProviders(context, path, pool);
        var forge = context.CompleteForge(pool.Forge);
        if (forge is not null)
        {
            CheckForgeKind(context, path, pool, forge, complete);
        }

        if (pool.ForgeSettings is IPoolSettingsCheck settings)
        {
            foreach (var (field, message) in settings.Check(pool, context.Config.Pools))
            {
                context.Report($"{path}.{field}", message);
            }
        }

        CheckLimits(context, path, pool, complete);
        CheckPolicy(context, path, pool);
        CheckTemplate(context, $"{path}.template", pool.Template);
        CheckBudget(context, $"{path}.budget", pool.Budget);
        PriceRules.CheckPool(context, path, pool);
        CheckTimeouts(context, $"{path}.timeouts", pool.Timeouts);

        for (var i = 0; i < pool.Schedules.Count; i++)
        {
            ScheduleRules.Check(context, $"{path}.schedules[{i}]", pool, pool.Schedules[i], complete);
        }
    }

    private static void CheckProviders(ValidationContext context, string path, PoolConfig pool)
    {
        var defined = context.Config.Providers.Select(p => p.Name).ToList();
        if (pool.Providers.Count == 0)
        {
            CheckReference(context, $"{path}.provider", "provider", pool.Provider, defined);
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < pool.Providers.Count; i++)
        {
            var name = pool.Providers[i].Name;
            var itemPath = ConfigPath.Index($"{path}.providers", i);
            if (!seen.Add(name))
            {
                context.Report(itemPath, $"provider '{name}' is listed twice");
                continue;
            }

            CheckReference(context, itemPath, "provider", name, defined);
        }
    }

    private static void CheckReference(ValidationContext context, string path, string noun, string name, IEnumerable<string> defined)
    {
        var names = defined.Where(n => n.Length > 0).ToList();
        if (name.Length == 0 || names.Contains(name))
        {
            return;
        }

        var suggestion = KeySuggester.Suggest(name, names);
        var hint = suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?";
        var known = names.Count == 0 ? $"no {noun}s are defined" : $"defined {noun}s: {ValidationContext.List(names)}";
        context.Report(path, $"unknown {noun} '{name}' ({known}){hint}");
    }

    private static void CheckForgeKind(ValidationContext context, string path, PoolConfig pool, ForgeConfig forge, bool complete)
    {
        if (forge.Kind == ForgeKind.GitHub)
        {
            if (pool.Tags.Count > 0)
            {
                context.Report($"{path}.tags", $"tags are for GitLab pools; forge '{forge.Name}' is GitHub, use labels");
            }

            if (pool.RunUntagged)
            {
                context.Report($"{path}.runUntagged", $"runUntagged is for GitLab pools; forge '{forge.Name}' is GitHub");
            }
        }
        else
        {
            if (pool.Labels.Count > 0)
            {
                context.Report($"{path}.labels", $"labels are for GitHub pools; forge '{forge.Name}' is GitLab, use tags (and runUntagged)");
            }
            else if (pool.Tags.Count == 0 && !pool.RunUntagged)
            {
                context.Report($"{path}.tags", "this GitLab pool has no tags and runUntagged is false, so no job can ever match it; add tags or set runUntagged: true");
            }
        }

        var scopeIsGitHub = pool.Scope.Kind is ScopeKind.Repository or ScopeKind.Organization or ScopeKind.Enterprise;
        if (complete && scopeIsGitHub != (forge.Kind == ForgeKind.GitHub))
        {
            var key = ConfigVocabulary.ScopeKey(pool.Scope.Kind);
            var expected = forge.Kind == ForgeKind.GitHub ? "repo, org or enterprise" : "project, group or instance";
            context.Report($"{path}.scope.{key}", $"'{key}' is not a scope of {ConfigVocabulary.ForgeKindName(forge.Kind)} forge '{forge.Name}'; use {expected}");
        }
    }

    private static void CheckLimits(ValidationContext context, string path, PoolConfig pool, bool complete)
    {
        var negative = false;
        foreach (var (key, value) in new[] { ("min", pool.Min), ("max", pool.Max), ("idle", pool.Idle) })
        {
            if (value < 0)
            {
                context.Report($"{path}.{key}", $"must not be negative, got {value}");
                negative = true;
            }
        }

        if (complete && !negative)
        {
            if (pool.Min > pool.Max)
            {
                context.Report($"{path}.min", $"min ({pool.Min}) is greater than max ({pool.Max})");
            }

            if (pool.Idle > pool.Max)
            {
                context.Report($"{path}.idle", $"idle ({pool.Idle}) is greater than max ({pool.Max})");
            }
        }

        FleetConfigValidator.CheckPositive(context, $"{path}.idleTimeout", pool.IdleTimeout);
        if (pool.MaxLifetime is { } lifetime)
        {
            FleetConfigValidator.CheckPositive(context, $"{path}.maxLifetime", lifetime);
        }
    }

    private static void CheckPolicy(ValidationContext context, string path, PoolConfig pool)
    {
        var known = context.Options.Policies;
        if (!known.Contains(pool.Policy))
        {
            var suggestion = KeySuggester.Suggest(pool.Policy, [.. known]);
            var hint = suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?";
            context.Report($"{path}.policy", $"unknown policy '{pool.Policy}'; known policies: {ValidationContext.List(known)}{hint}");
            return;
        }

        var validate = context.Options.ValidatePolicySettings;
        if (validate is null)
        {
            return;
        }

        foreach (var error in validate(pool.Policy, pool.PolicySettings))
        {
            var settingPath = error.Key.Length == 0 ? $"{path}.policySettings" : $"{path}.policySettings.{error.Key}";
            context.Report(settingPath, error.Message);
        }
    }

    private static void CheckTemplate(ValidationContext context, string path, InstanceTemplate template)
    {
        if (template.Profile is not null && (template.Cpu is not null || template.Memory is not null))
        {
            context.Report($"{path}.profile", "set either profile or cpu/memory, not both");
        }

        if (template.Gpu < 0)
        {
            context.Report($"{path}.gpu", $"must not be negative, got {template.Gpu}");
        }

        foreach (var (key, quantity) in new[] { ("cpu", template.Cpu), ("memory", template.Memory) })
        {
            if (quantity is not null && !Quantity().IsMatch(quantity))
            {
                context.Report($"{path}.{key}", $"'{quantity}' is not a resource quantity; write e.g. 2, 500m, 4Gi, 512Mi");
            }
        }
    }

    internal static void CheckBudget(ValidationContext context, string path, BudgetConfig? budget)
    {
        if (budget is null)
        {
            return;
        }

        if (budget.Limit < 0)
        {
            context.Report($"{path}.limit", "must not be negative");
        }

        if (!Currency().IsMatch(budget.Currency))
        {
            context.Report($"{path}.currency", $"'{budget.Currency}' is not a currency code; write three capital letters such as USD or EUR");
        }

        ScheduleRules.CheckTimeZone(context, $"{path}.timezone", budget.TimeZone);
    }

    private static void CheckTimeouts(ValidationContext context, string path, RunnerTimeouts timeouts)
    {
        FleetConfigValidator.CheckPositive(context, $"{path}.requested", timeouts.Requested);
        FleetConfigValidator.CheckPositive(context, $"{path}.provisioning", timeouts.Provisioning);
        FleetConfigValidator.CheckPositive(context, $"{path}.registering", timeouts.Registering);
        FleetConfigValidator.CheckPositive(context, $"{path}.busy", timeouts.Busy);
        if (timeouts.RunningJob is { } runningJob)
        {
            FleetConfigValidator.CheckPositive(context, $"{path}.runningJob", runningJob);
        }

        FleetConfigValidator.CheckPositive(context, $"{path}.draining", timeouts.Draining);
        FleetConfigValidator.CheckPositive(context, $"{path}.finishedJobGrace", timeouts.FinishedJobGrace);
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")]
    private static partial Regex Quantity();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Currency();
}
