namespace Drover.Core.Config;

/// <summary>
/// Maps the YAML tree onto <see cref="FleetConfig"/>: structure, types and formats. Semantic rules (references,
/// limits, overlaps) belong to <see cref="FleetConfigValidator"/>. Entries that cannot be bound keep their index with a
/// placeholder so that <c>pools[i]</c> in the model is <c>pools[i]</c> in the file.
/// </summary>
internal sealed class FleetConfigBinder
{
    private readonly ConfigErrorCollector _errors;
    private readonly ConfigSourceMap _map;
    private readonly Adapters.AdapterModules _modules;
    private readonly PoolConfigBinder _poolBinder;

    public FleetConfigBinder(ConfigErrorCollector errors, ConfigSourceMap map, Adapters.AdapterModules? modules = null)
    {
        _errors = errors;
        _map = map;
        _modules = modules ?? Adapters.AdapterModules.Empty;
        _poolBinder = new PoolConfigBinder(errors, map, _modules);
    }

    public BoundFleet? Bind(ConfigNode root)
    {
        var fleet = MappingReader.Over(root, string.Empty, ConfigVocabulary.FleetKeys, _errors, _map);
        if (fleet is null)
        {
            return null;
        }

        var defaults = new FleetConfig();
        var incompleteForges = new HashSet<int>();
        var incompletePools = new HashSet<int>();
        var forges = BindList(fleet, "forges", "forge", incompleteForges, BindForge);
        var providers = BindList(fleet, "providers", "provider", [], BindProvider);
        _poolBinder.Know(forges, providers);
        var pools = BindList(fleet, "pools", "pool", incompletePools, _poolBinder.Bind);
        var teams = fleet.Sequence("teams").Select(t => BindTeam(t.Node, t.Path)).ToList();
        var classes = fleet.Sequence("priorityClasses").Select(c => BindPriorityClass(c.Node, c.Path)).ToList();
        var retention = fleet.Mapping("retention", ConfigVocabulary.RetentionKeys);

        var config = new FleetConfig
        {
            ControllerId = fleet.String("controllerId") ?? defaults.ControllerId,
            OrphanGracePeriod = fleet.Duration("orphanGracePeriod") ?? defaults.OrphanGracePeriod,
            StaleJobAge = fleet.Duration("staleJobAge") ?? defaults.StaleJobAge,
            Forges = forges,
            Providers = providers,
            Pools = pools,
            Teams = teams,
            PriorityClasses = classes,
            Retention = retention is null ? defaults.Retention : new RetentionConfig
            {
                Events = retention.Duration("events") ?? defaults.Retention.Events,
                Jobs = retention.Duration("jobs") ?? defaults.Retention.Jobs,
                Runners = retention.Duration("runners") ?? defaults.Retention.Runners,
                CostLines = retention.Duration("costLines") ?? defaults.Retention.CostLines,
            },
        };
        return new BoundFleet(config, incompleteForges, incompletePools);
    }

    /// <summary>Binds every item of a required, non-empty list; items whose binding reported anything are marked incomplete.</summary>
    private List<T> BindList<T>(MappingReader fleet, string key, string noun, HashSet<int> incomplete, Func<ConfigNode, string, T> bind)
    {
        if (!fleet.Has(key))
        {
            fleet.ReportMissing(key);
            return [];
        }

        var node = fleet.Get(key);
        var items = fleet.Sequence(key);
        if (items.Count == 0 && node is ConfigSequence or ConfigScalar { IsNull: true })
        {
            _errors.Add(node, fleet.PathOf(key), $"at least one {noun} is required");
        }

        var result = new List<T>();
        for (var i = 0; i < items.Count; i++)
        {
            var before = _errors.ProblemCount;
            result.Add(bind(items[i].Node, items[i].Path));
            if (_errors.ProblemCount != before)
            {
                incomplete.Add(i);
            }
        }

        return result;
    }

    private TeamConfig BindTeam(ConfigNode node, string path)
    {
        var reader = MappingReader.Over(node, path, ConfigVocabulary.TeamKeys, _errors, _map);
        if (reader is null)
        {
            return new TeamConfig { Name = string.Empty };
        }

        var budget = reader.Mapping("budget", ConfigVocabulary.BudgetKeys);
        var quota = reader.Mapping("quota", ConfigVocabulary.QuotaKeys);
        return new TeamConfig
        {
            Name = reader.String("name", required: true) ?? string.Empty,
            Pools = reader.StringList("pools") ?? [],
            Budget = budget is null ? null : BudgetBinder.Bind(budget),
            MaxRunners = quota?.Int("runners"),
            MaxVcpus = quota?.Decimal("vcpus"),
            MaxGpus = quota?.Int("gpus"),
            Weight = reader.Int("weight"),
        };
    }

    private PriorityClassConfig BindPriorityClass(ConfigNode node, string path)
    {
        var reader = MappingReader.Over(node, path, ConfigVocabulary.PriorityClassKeys, _errors, _map);
        if (reader is null)
        {
            return new PriorityClassConfig { Name = string.Empty };
        }

        var name = reader.String("name", required: true) ?? string.Empty;
        if (!reader.Has("match"))
        {
            reader.ReportMissing("match");
        }

        var matches = new List<PriorityMatch>();
        var words = reader.StringList("match") ?? [];
        if (reader.Has("match") && reader.Get("match") is ConfigSequence { Items.Count: 0 } or ConfigScalar { IsNull: true })
        {
            _errors.Add(reader.Get("match")!, reader.PathOf("match"), $"a priority class matches at least one of: {string.Join(", ", ConfigVocabulary.PriorityMatches.Keys)}");
        }

        for (var i = 0; i < words.Count; i++)
        {
            if (ConfigVocabulary.PriorityMatches.TryGetValue(words[i], out var match))
            {
                matches.Add(match);
            }
            else
            {
                var at = ConfigPath.Index(reader.PathOf("match"), i);
                _errors.Add(_map.Locate(at), at, $"unknown match '{words[i]}'; expected one of: {string.Join(", ", ConfigVocabulary.PriorityMatches.Keys)}");
            }
        }

        return new PriorityClassConfig { Name = name, Match = matches };
    }

    private ForgeConfig BindForge(ConfigNode node, string path)
    {
        var reader = MappingReader.Over(node, path, ConfigVocabulary.ForgeKeys, _errors, _map);
        if (reader is null)
        {
            return new ForgeConfig { Name = string.Empty, Kind = ForgeKind.GitHub, Url = new Uri("https://invalid.invalid") };
        }

        var kind = reader.Enum("kind", ConfigVocabulary.ForgeKinds, required: true) ?? ForgeKind.GitHub;
        var defaultUrl = kind == ForgeKind.GitHub ? "https://api.github.com" : "https://gitlab.com";
        var auth = reader.Mapping("auth", ConfigVocabulary.AuthKeys, required: true);
        var forge = new ForgeConfig
        {
            Name = reader.String("name", required: true) ?? string.Empty,
            Kind = kind,
            Url = reader.Url("url") ?? new Uri(defaultUrl),
            Auth = auth is null ? new ForgeAuth() : BindAuth(auth),
            WebhookSecret = reader.Secret("webhookSecret"),
            PollInterval = reader.Duration("pollInterval"),
        };
        _modules.Forge(kind)?.CheckForge(forge, new ConfigFields(reader));
        return forge;
    }

    private static ForgeAuth BindAuth(MappingReader reader) => new()
    {
        Token = reader.Secret("token"),
        AppId = reader.Long("appId"),
        InstallationId = reader.Long("installationId"),
        PrivateKey = reader.Secret("privateKey"),
    };

    private ProviderConfig BindProvider(ConfigNode node, string path)
    {
        var reader = MappingReader.Over(node, path, ConfigVocabulary.ProviderKeys, _errors, _map);
        if (reader is null)
        {
            return new ProviderConfig { Name = string.Empty, Type = string.Empty };
        }

        var type = reader.String("type", required: true) ?? string.Empty;
        var module = _modules.Provider(type);
        if (module is null)
        {
            return new ProviderConfig
            {
                Name = reader.String("name", required: true) ?? string.Empty,
                Type = type,
                Settings = reader.Settings("settings") ?? new Dictionary<string, string>(),
                MaxConcurrentCreates = MaxConcurrentCreates(reader),
                MaxRunners = reader.Int("maxRunners"),
                Price = PriceBinder.Bind(reader),
            };
        }

        var settings = module.BindSettings(ConfigSection.Over(reader.Get("settings"), reader.PathOf("settings"), _errors, _map, reader.Node));
        return new ProviderConfig
        {
            Name = reader.String("name", required: true) ?? string.Empty,
            Type = type,
            Settings = settings as IReadOnlyDictionary<string, string> ?? new Dictionary<string, string>(),
            ModuleSettings = settings,
            MaxConcurrentCreates = MaxConcurrentCreates(reader),
            MaxRunners = reader.Int("maxRunners"),
            Price = PriceBinder.Bind(reader),
        };
    }

    private int MaxConcurrentCreates(MappingReader reader)
    {
        var value = reader.Int("maxConcurrentCreates");
        if (value is < 1 or > ProviderConfig.MaxConcurrentCreatesLimit)
        {
            _errors.Add(reader.Get("maxConcurrentCreates")!, reader.PathOf("maxConcurrentCreates"), $"runs 1 to {ProviderConfig.MaxConcurrentCreatesLimit} creates at once, got {value}");
            return ProviderConfig.DefaultMaxConcurrentCreates;
        }

        return value ?? ProviderConfig.DefaultMaxConcurrentCreates;
    }
}
