namespace Drover.Core.Config;

/// <summary>
/// Semantic rules over a bound <see cref="FleetConfig"/>: unique names, references between sections, forge-specific
/// rules, limits, policies, schedules and pools that can never get work. Reports every problem, never only the first.
/// </summary>
public sealed class FleetConfigValidator
{
    private readonly FleetConfigValidationOptions _options;

    public FleetConfigValidator(FleetConfigValidationOptions? options = null)
    {
        _options = options ?? FleetConfigValidationOptions.Default;
    }

    /// <summary>
    /// Validates a configuration built in code or loaded earlier. Errors are located through
    /// <paramref name="sourceMap"/> when given (line and column 0 otherwise).
    /// </summary>
    public IReadOnlyList<ConfigError> Validate(FleetConfig config, ConfigSourceMap? sourceMap = null)
    {
        var map = sourceMap ?? ConfigSourceMap.Empty;
        var errors = new ConfigErrorCollector(map.File);
        Validate(new BoundFleet(config, new HashSet<int>(), new HashSet<int>()), map, errors);
        return errors.Sorted();
    }

    internal void Validate(BoundFleet bound, ConfigSourceMap map, ConfigErrorCollector errors)
    {
        var context = new ValidationContext(bound, map, errors, _options);
        var config = bound.Config;

        NameRules.CheckName(context, "controllerId", config.ControllerId);
        CheckPositive(context, "orphanGracePeriod", config.OrphanGracePeriod);
        CheckPositive(context, "staleJobAge", config.StaleJobAge);
        CheckPositive(context, "retention.events", config.Retention.Events);
        CheckPositive(context, "retention.jobs", config.Retention.Jobs);
        CheckPositive(context, "retention.runners", config.Retention.Runners);
        if (config.Retention.CostLines < RetentionConfig.MinCostLines)
        {
            context.Report("retention.costLines", $"must be at least {DurationParser.Format(RetentionConfig.MinCostLines)} (a month's budget reads the lines since the month began), got {DurationParser.Format(config.Retention.CostLines)}");
        }

        NameRules.CheckUnique(context, "forges", "forge", [.. config.Forges.Select(f => f.Name)]);
        NameRules.CheckUnique(context, "providers", "provider", [.. config.Providers.Select(p => p.Name)]);
        NameRules.CheckUnique(context, "pools", "pool", [.. config.Pools.Select(p => p.Name)]);

        for (var i = 0; i < config.Forges.Count; i++)
        {
            if (!bound.IncompleteForges.Contains(i))
            {
                ForgeAuthRules.Check(context, $"forges[{i}]", config.Forges[i]);
            }

            if (config.Forges[i].PollInterval is { } poll && (poll < ForgeConfig.MinPollInterval || poll > ForgeConfig.MaxPollInterval))
            {
                context.Report($"forges[{i}].pollInterval", $"must be between {DurationParser.Format(ForgeConfig.MinPollInterval)} and {DurationParser.Format(ForgeConfig.MaxPollInterval)}, got {DurationParser.Format(poll)}");
            }
        }

        for (var i = 0; i < config.Providers.Count; i++)
        {
            CheckProviderType(context, $"providers[{i}].type", config.Providers[i].Type);
            PriceRules.CheckSection(context, $"providers[{i}].price", config.Providers[i].Price);
            if (config.Providers[i].MaxRunners is < 0)
            {
                context.Report($"providers[{i}].maxRunners", $"must not be negative, got {config.Providers[i].MaxRunners}");
            }

            if (context.Options.Modules.Provider(config.Providers[i].Type) is not null)
            {
                continue;
            }

            foreach (var error in context.Options.ValidateProviderSettings?.Invoke(config.Providers[i].Type, config.Providers[i].Settings) ?? [])
            {
                context.Report(error.Key.Length == 0 ? $"providers[{i}].settings" : $"providers[{i}].settings.{error.Key}", error.Message);
            }
        }

        for (var i = 0; i < config.Pools.Count; i++)
        {
            PoolRules.Check(context, i);
        }

        PoolShadowingRule.Check(context);
        TeamRules.Check(context);
        PriorityClassRules.Check(context);
    }

    internal static void CheckPositive(ValidationContext context, string path, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            context.Report(path, "must be longer than 0s");
        }
    }

    private static void CheckProviderType(ValidationContext context, string path, string type)
    {
        var modules = context.Options.Modules;
        var known = modules.Providers.Count > 0 ? modules.ProviderTypes : context.Options.ProviderTypes;
        if (type.Length == 0 || known.Contains(type))
        {
            return;
        }

        var suggestion = KeySuggester.Suggest(type, known);
        var hint = suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?";
        context.Report(path, $"unknown provider type '{type}'; this build runs: {ValidationContext.List(known)}{hint}");
    }
}
