namespace Drover.Core.Config;

/// <summary>Binds one entry of <c>pools:</c> with its scope, template, budget, timeouts and schedules.</summary>
internal sealed class PoolConfigBinder
{
    private readonly ConfigErrorCollector _errors;
    private readonly ConfigSourceMap _map;
    private readonly Adapters.AdapterModules _modules;
    private readonly string[] _poolKeys;
    private readonly string[] _templateKeys;
    private Dictionary<string, ForgeKind> _forgeKinds = new(StringComparer.Ordinal);
    private Dictionary<string, string> _providerTypes = new(StringComparer.Ordinal);

    public PoolConfigBinder(ConfigErrorCollector errors, ConfigSourceMap map, Adapters.AdapterModules modules)
    {
        _errors = errors;
        _map = map;
        _modules = modules;
        _poolKeys = [.. ConfigVocabulary.PoolKeys, .. modules.Forges.Select(f => f.Name)];
        _templateKeys = [.. ConfigVocabulary.TemplateKeys, .. modules.ProviderTypes];
    }

    /// <summary>The forges and providers bound before the pools: a pool's sections are bound by the modules of the kinds and types it names.</summary>
    public void Know(IEnumerable<ForgeConfig> forges, IEnumerable<ProviderConfig> providers)
    {
        _forgeKinds = forges.Where(f => f.Name.Length > 0).DistinctBy(f => f.Name).ToDictionary(f => f.Name, f => f.Kind, StringComparer.Ordinal);
        _providerTypes = providers.Where(p => p.Name.Length > 0).DistinctBy(p => p.Name).ToDictionary(p => p.Name, p => p.Type, StringComparer.Ordinal);
    }

    public PoolConfig Bind(ConfigNode node, string path)
    {
        var reader = MappingReader.Over(node, path, _poolKeys, _errors, _map);
        if (reader is null)
        {
            return new PoolConfig { Name = string.Empty, Forge = string.Empty, Provider = string.Empty, Scope = new PoolScope(ScopeKind.Instance, string.Empty) };
        }

        var defaults = new PoolConfig { Name = string.Empty, Forge = string.Empty, Provider = string.Empty, Scope = new PoolScope(ScopeKind.Instance, string.Empty) };
        var scope = reader.Mapping("scope", ConfigVocabulary.ScopeKeys, required: true);
        var template = reader.Mapping("template", _templateKeys);
        var budget = reader.Mapping("budget", ConfigVocabulary.BudgetKeys);
        var timeouts = reader.Mapping("timeouts", ConfigVocabulary.TimeoutKeys);
        var providers = BindProviders(reader);
        var forge = reader.String("forge", required: true) ?? string.Empty;
        var placement = providers.Count > 0 ? providers.Select(p => p.Name).ToList() : [reader.String("provider") ?? string.Empty];
        return new PoolConfig
        {
            ForgeSettings = BindForgeSection(reader, forge),
            Name = reader.String("name", required: true) ?? string.Empty,
            Forge = forge,
            Scope = (scope is null ? null : BindScope(scope)) ?? defaults.Scope,
            Labels = reader.StringList("labels") ?? defaults.Labels,
            Tags = reader.StringList("tags") ?? defaults.Tags,
            RunUntagged = reader.Bool("runUntagged") ?? defaults.RunUntagged,
            Provider = providers.Count > 0 ? providers[0].Name : reader.String("provider", required: !reader.Has("providers")) ?? string.Empty,
            Providers = providers,
            PlacementMode = reader.Enum("placement", ConfigVocabulary.PlacementModes) ?? defaults.PlacementMode,
            Template = BindModuleTemplates(reader, template is null ? defaults.Template : BindTemplate(template), template, placement),
            Min = reader.Int("min") ?? defaults.Min,
            Max = reader.Int("max") ?? defaults.Max,
            Idle = reader.Int("idle") ?? defaults.Idle,
            IdleTimeout = reader.Duration("idleTimeout") ?? defaults.IdleTimeout,
            MaxLifetime = reader.Duration("maxLifetime") ?? defaults.MaxLifetime,
            Ephemeral = reader.Bool("ephemeral") ?? defaults.Ephemeral,
            Policy = reader.String("policy") ?? defaults.Policy,
            PolicySettings = reader.Settings("policySettings") ?? defaults.PolicySettings,
            Priority = reader.Int("priority") ?? defaults.Priority,
            Team = reader.String("team"),
            Budget = budget is null ? null : BudgetBinder.Bind(budget),
            Timeouts = timeouts is null ? defaults.Timeouts : BindTimeouts(timeouts),
            Schedules = [.. reader.Sequence("schedules").Select(s => BindSchedule(s.Node, s.Path))],
            LostJobReruns = LostJobReruns(reader) ?? defaults.LostJobReruns,
        };
    }

    private int? LostJobReruns(MappingReader reader)
    {
        var value = reader.Int("lostJobReruns");
        if (value is < 0 or > PoolConfig.MaxLostJobReruns)
        {
            _errors.Add(reader.Get("lostJobReruns")!, reader.PathOf("lostJobReruns"), $"re-runs a lost job 0 (never) to {PoolConfig.MaxLostJobReruns} times, got {value}");
            return null;
        }

        return value;
    }

    /// <summary>
    /// <c>providers:</c>, a list whose items are provider names or <c>{ name, weight }</c> mappings; empty when absent.
    /// A pool names its provider(s) with exactly one of <c>provider</c> and <c>providers</c>.
    /// </summary>
    private List<PoolProvider> BindProviders(MappingReader reader)
    {
        if (!reader.Has("providers"))
        {
            return [];
        }

        if (reader.Has("provider"))
        {
            _errors.Add(reader.Get("provider")!, reader.PathOf("provider"), "a pool names 'provider' or 'providers', not both");
        }

        var items = reader.Sequence("providers");
        if (items.Count == 0)
        {
            _errors.Add(reader.Get("providers")!, reader.PathOf("providers"), "expected a non-empty list of provider names or { name, weight } entries");
            return [];
        }

        var providers = new List<PoolProvider>();
        foreach (var (node, path) in items)
        {
            if (node is ConfigScalar { IsNull: false } scalar && !string.IsNullOrWhiteSpace(scalar.Value))
            {
                providers.Add(new PoolProvider(scalar.Value));
                continue;
            }

            if (node is ConfigMapping && MappingReader.Over(node, path, ConfigVocabulary.PoolProviderKeys, _errors, _map) is { } entry)
            {
                var name = entry.String("name", required: true);
                var weight = entry.Int("weight");
                if (weight is < 1)
                {
                    _errors.Add(entry.Get("weight")!, entry.PathOf("weight"), $"a weight is at least 1, got {weight}");
                }

                if (name is not null)
                {
                    providers.Add(new PoolProvider(name, Math.Max(1, weight ?? 1)));
                }

                continue;
            }

            if (node is not ConfigMapping)
            {
                _errors.Add(node, path, $"expected a provider name or {{ name, weight }}, got {node.Describe()}");
            }
        }

        return providers;
    }

    private PoolScope? BindScope(MappingReader reader)
    {
        var declared = reader.Node.Entries.Where(e => ConfigVocabulary.ScopeKeys.Contains(e.Key.Value)).ToList();
        if (declared.Count == 0)
        {
            _errors.Add(reader.Node, reader.Path, "needs exactly one of repo, org, enterprise (GitHub) or project, group, instance (GitLab)");
            return null;
        }

        foreach (var extra in declared.Skip(1))
        {
            _errors.Add(extra.Key, reader.PathOf(extra.Key.Value), $"a scope has exactly one kind; '{declared[0].Key.Value}' is already set");
        }

        var key = declared[0].Key.Value;
        var kind = ConfigVocabulary.ScopeKindOf(key);
        if (kind == ScopeKind.Instance)
        {
            var instance = reader.Bool(key);
            if (instance == false)
            {
                _errors.Add(declared[0].Value, reader.PathOf(key), "an instance scope is written 'instance: true'");
            }

            return instance == true ? new PoolScope(kind, string.Empty) : null;
        }

        var path = reader.String(key);
        if (path is null)
        {
            return null;
        }

        if (kind == ScopeKind.Repository && (path.Count(c => c == '/') != 1 || path.StartsWith('/') || path.EndsWith('/')))
        {
            _errors.Add(declared[0].Value, reader.PathOf(key), $"a repository is written owner/name, got '{path}'");
            return null;
        }

        if (kind is ScopeKind.Organization or ScopeKind.Enterprise && path.Contains('/'))
        {
            _errors.Add(declared[0].Value, reader.PathOf(key), $"an {key} is a single name without '/', got '{path}'");
            return null;
        }

        return new PoolScope(kind, path.Trim('/'));
    }

    /// <summary>
    /// A pool's <c>&lt;kind&gt;:</c> section, bound by the module of its forge's kind; a section for another kind than the
    /// pool's forge is refused.
    /// </summary>
    private object? BindForgeSection(MappingReader reader, string forge)
    {
        foreach (var module in _modules.Forges)
        {
            if (reader.Has(module.Name) && (!_forgeKinds.TryGetValue(forge, out var kind) || kind != module.Kind))
            {
                _errors.Add(reader.Get(module.Name)!, reader.PathOf(module.Name), $"the pool's forge '{forge}' is not a {module.Name} forge, so this section does not apply");
            }
        }

        if (!_forgeKinds.TryGetValue(forge, out var forgeKind) || _modules.Forge(forgeKind) is not { } owner)
        {
            return null;
        }

        return owner.BindPool(ConfigSection.Over(reader.Get(owner.Name), reader.PathOf(owner.Name), _errors, _map, reader.Node));
    }

    /// <summary>
    /// Each <c>template.&lt;type&gt;</c> bound by the module of that provider type, for every type the pool is placed on;
    /// a section for a type the pool does not run on is refused.
    /// </summary>
    private InstanceTemplate BindModuleTemplates(MappingReader pool, InstanceTemplate template, MappingReader? reader, IReadOnlyList<string> placement)
    {
        var types = placement.Select(p => _providerTypes.GetValueOrDefault(p)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var templateNode = (ConfigNode?)reader?.Node ?? pool.Node;
        var templatePath = pool.PathOf("template");
        if (reader is not null)
        {
            foreach (var type in _modules.ProviderTypes.Where(t => reader.Has(t) && !types.Contains(t)))
            {
                _errors.Add(reader.Get(type)!, reader.PathOf(type), $"the pool runs on no provider of type '{type}', so this section does not apply");
            }
        }

        var bound = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var type in types)
        {
            if (_modules.Provider(type) is not { } module)
            {
                continue;
            }

            var section = ConfigSection.Over(reader?.Get(type), ConfigPath.Child(templatePath, type), _errors, _map, templateNode);
            var legacy = ConfigSection.Over(reader?.Get("settings"), ConfigPath.Child(templatePath, "settings"), _errors, _map, templateNode);
            if (module.BindTemplate(section, legacy) is { } value)
            {
                bound[type] = value;
            }
        }

        return bound.Count == 0 ? template : template with { Modules = bound };
    }

    private static InstanceTemplate BindTemplate(MappingReader reader)
    {
        var defaults = new InstanceTemplate();
        return new InstanceTemplate
        {
            Image = reader.String("image"),
            Profile = reader.Enum("profile", ConfigVocabulary.Profiles),
            Cpu = reader.String("cpu"),
            Memory = reader.String("memory"),
            Gpu = reader.Int("gpu") ?? defaults.Gpu,
            Spot = reader.Enum("spot", ConfigVocabulary.SpotPreferences) ?? defaults.Spot,
            Settings = reader.Settings("settings") ?? defaults.Settings,
            Price = PriceBinder.Bind(reader),
        };
    }

    private static RunnerTimeouts BindTimeouts(MappingReader reader)
    {
        var defaults = RunnerTimeouts.Default;
        return new RunnerTimeouts
        {
            Requested = reader.Duration("requested") ?? defaults.Requested,
            Provisioning = reader.Duration("provisioning") ?? defaults.Provisioning,
            Registering = reader.Duration("registering") ?? defaults.Registering,
            Busy = reader.Duration("busy") ?? defaults.Busy,
            RunningJob = reader.Duration("runningJob") ?? defaults.RunningJob,
            Draining = reader.Duration("draining") ?? defaults.Draining,
            FinishedJobGrace = reader.Duration("finishedJobGrace") ?? defaults.FinishedJobGrace,
        };
    }

    /// <summary>A schedule that cannot be read keeps its place with an empty cron, which validation skips.</summary>
    private ScheduleConfig BindSchedule(ConfigNode node, string path)
    {
        var reader = MappingReader.Over(node, path, ConfigVocabulary.ScheduleKeys, _errors, _map);
        if (reader is null)
        {
            return new ScheduleConfig { Cron = string.Empty };
        }

        return new ScheduleConfig
        {
            Cron = reader.String("cron", required: true) ?? string.Empty,
            TimeZone = reader.String("timezone") ?? "UTC",
            Min = reader.Int("min"),
            Idle = reader.Int("idle"),
            Max = reader.Int("max"),
        };
    }
}
