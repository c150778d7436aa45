namespace Drover.Core.Config;

/// <summary>The YAML keys and enum spellings of a fleet configuration file, in one place.</summary>
internal static class ConfigVocabulary
{
    public static readonly string[] FleetKeys = ["controllerId", "orphanGracePeriod", "staleJobAge", "forges", "providers", "pools", "teams", "priorityClasses", "retention"];

    public static readonly string[] RetentionKeys = ["events", "jobs", "runners", "costLines"];

    public static readonly string[] ForgeKeys = ["name", "kind", "url", "auth", "webhookSecret", "pollInterval"];

    public static readonly string[] AuthKeys = ["token", "appId", "installationId", "privateKey"];

    public static readonly string[] ProviderKeys = ["name", "type", "settings", "maxConcurrentCreates", "maxRunners", "price"];

    public static readonly string[] PoolKeys =
    [
        "name", "forge", "scope", "labels", "tags", "runUntagged", "provider", "providers", "placement", "template", "min", "max", "idle",
        "idleTimeout", "maxLifetime", "ephemeral", "policy", "policySettings", "priority", "team", "budget", "timeouts",
        "schedules", "lostJobReruns",
    ];

    public static readonly string[] PoolProviderKeys = ["name", "weight"];

    public static readonly IReadOnlyDictionary<string, PlacementMode> PlacementModes = new Dictionary<string, PlacementMode>
    {
        ["priority"] = PlacementMode.Priority,
        ["weighted"] = PlacementMode.Weighted,
    };

    public static readonly string[] ScopeKeys = ["repo", "org", "enterprise", "project", "group", "instance"];

    public static readonly string[] TemplateKeys = ["image", "profile", "cpu", "memory", "gpu", "spot", "settings", "price"];

    public static readonly string[] BudgetKeys = ["limit", "period", "timezone", "currency", "thresholds", "action", "notify"];

    public static readonly string[] NotifyKeys = ["url", "format"];

    public static readonly string[] TeamKeys = ["name", "pools", "budget", "quota", "weight"];

    public static readonly string[] PriorityClassKeys = ["name", "match"];

    public static readonly IReadOnlyDictionary<string, PriorityMatch> PriorityMatches = new Dictionary<string, PriorityMatch>(StringComparer.Ordinal)
    {
        ["default-branch"] = PriorityMatch.DefaultBranch,
        ["tags"] = PriorityMatch.Tags,
        ["deployments"] = PriorityMatch.Deployments,
        ["pull-requests"] = PriorityMatch.PullRequests,
        ["branches"] = PriorityMatch.Branches,
    };

    public static readonly string[] QuotaKeys = ["runners", "vcpus", "gpus"];

    public static readonly IReadOnlyDictionary<string, BudgetAction> BudgetActions = new Dictionary<string, BudgetAction>
    {
        ["alert-only"] = BudgetAction.AlertOnly,
        ["stop-warm"] = BudgetAction.StopWarm,
        ["hard-cap"] = BudgetAction.HardCap,
    };

    public static readonly IReadOnlyDictionary<string, NotifyFormat> NotifyFormats =
        new Dictionary<string, NotifyFormat> { ["json"] = NotifyFormat.Json, ["slack"] = NotifyFormat.Slack };

    public static readonly string[] PriceKeys = ["currency", "onDemand", "spot", "billing", "minimum"];

    public static readonly string[] RateKeys = ["perHour", "perVcpuHour", "perGibHour", "perGpuHour"];

    public static readonly IReadOnlyDictionary<string, Cost.BillingGranularity> Billings = new Dictionary<string, Cost.BillingGranularity>
    {
        ["per-second"] = Cost.BillingGranularity.PerSecond,
        ["per-minute"] = Cost.BillingGranularity.PerMinute,
        ["per-hour"] = Cost.BillingGranularity.PerHour,
    };

    public static readonly string[] TimeoutKeys = ["requested", "provisioning", "registering", "busy", "runningJob", "draining", "finishedJobGrace"];

    public static readonly string[] ScheduleKeys = ["cron", "timezone", "min", "idle", "max"];

    public static readonly IReadOnlyDictionary<string, ForgeKind> ForgeKinds =
        new Dictionary<string, ForgeKind> { ["github"] = ForgeKind.GitHub, ["gitlab"] = ForgeKind.GitLab };

    public static readonly IReadOnlyDictionary<string, ResourceProfile> Profiles = new Dictionary<string, ResourceProfile>
    {
        ["small"] = ResourceProfile.Small,
        ["medium"] = ResourceProfile.Medium,
        ["large"] = ResourceProfile.Large,
        ["xlarge"] = ResourceProfile.XLarge,
    };

    public static readonly IReadOnlyDictionary<string, SpotPreference> SpotPreferences = new Dictionary<string, SpotPreference>
    {
        ["none"] = SpotPreference.None,
        ["prefer"] = SpotPreference.Prefer,
        ["require"] = SpotPreference.Require,
    };

    public static readonly IReadOnlyDictionary<string, BudgetPeriod> BudgetPeriods =
        new Dictionary<string, BudgetPeriod> { ["day"] = BudgetPeriod.Day, ["week"] = BudgetPeriod.Week, ["month"] = BudgetPeriod.Month };

    /// <summary>The <c>scope:</c> key that declares <paramref name="kind"/>.</summary>
    public static string ScopeKey(ScopeKind kind) => kind switch
    {
        ScopeKind.Repository => "repo",
        ScopeKind.Organization => "org",
        ScopeKind.Enterprise => "enterprise",
        ScopeKind.Project => "project",
        ScopeKind.Group => "group",
        _ => "instance",
    };

    public static ScopeKind ScopeKindOf(string key) => key switch
    {
        "repo" => ScopeKind.Repository,
        "org" => ScopeKind.Organization,
        "enterprise" => ScopeKind.Enterprise,
        "project" => ScopeKind.Project,
        "group" => ScopeKind.Group,
        _ => ScopeKind.Instance,
    };

    public static string ForgeKindName(ForgeKind kind) => kind == ForgeKind.GitHub ? "github" : "gitlab";
}
