using Drover.Core.Config;
using Drover.Core.Policies;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

public sealed class FleetConfigValidatorTests
{
    [Fact]
    public void Validate_DuplicatePoolName_ReportsSecondPool()
    {
        var result = Load(Fleet(Pool(), Pool(scope: "{ org: other }")));

        AssertSingleError(result, 17, 11, "pools[1].name", "duplicate pool name 'linux' (already used by pools[0])");
    }

    [Fact]
    public void Validate_DuplicateForgeAndProviderNames_ReportsBoth()
    {
        var text = Fleet(Pool())
            .Replace("  - name: gitlab\n    kind: gitlab", "  - name: github\n    kind: gitlab", StringComparison.Ordinal)
            .Replace("providers:\n", "providers:\n  - name: k8s\n    type: process\n", StringComparison.Ordinal);

        var result = Load(text);

        Assert.Null(result.Config);
        Assert.Equal(2, result.Errors.Count);
        AssertError(result.Errors[0], 5, 11, "forges[1].name", "duplicate forge name 'github' (already used by forges[0])");
        AssertError(result.Errors[1], 11, 11, "providers[1].name", "duplicate provider name 'k8s' (already used by providers[0])");
    }

    [Theory]
    [InlineData("Linux")]
    [InlineData("gpu_pool")]
    [InlineData("-gpu")]
    public void Validate_NameNotDnsLabel_ReportsName(string name)
    {
        var result = Load(Fleet(Pool(name: name)));

        AssertSingleError(result, 12, 11, "pools[0].name", $"'{name}' is not a valid name");
    }

    [Fact]
    public void Validate_InvalidControllerId_ReportsIt()
    {
        var result = Load("controllerId: Drover Prod\n" + Fleet(Pool()));

        AssertSingleError(result, 1, 15, "controllerId", "'Drover Prod' is not a valid name");
    }

    [Fact]
    public void Validate_UnknownForgeAndProvider_ReportsBothWithSuggestion()
    {
        var result = Load(Fleet(Pool(forge: "githb", provider: "kubernetes")));

        Assert.Null(result.Config);
        Assert.Equal(2, result.Errors.Count);
        AssertError(result.Errors[0], 13, 12, "pools[0].forge", "unknown forge 'githb' (defined forges: github, gitlab); did you mean 'github'?");
        AssertError(result.Errors[1], 16, 15, "pools[0].provider", "unknown provider 'kubernetes' (defined providers: k8s)");
    }

    [Fact]
    public void Validate_UnknownProviderType_ReportsType()
    {
        var result = Load(Fleet(Pool()).Replace("type: kubernetes", "type: kubernets", StringComparison.Ordinal));

        AssertSingleError(result, 10, 11, "providers[0].type", "unknown provider type 'kubernets'; this build runs: kubernetes, process, simulated; did you mean 'kubernetes'?");
    }

    [Fact]
    public void Validate_ProviderTypesFromOptions_AcceptsCustomType()
    {
        var text = Fleet(Pool()).Replace("type: kubernetes", "type: nomad", StringComparison.Ordinal);

        var result = Load(text, new FleetConfigValidationOptions { ProviderTypes = ["nomad"] });

        AssertValid(result);
    }

    [Fact]
    public void Validate_MinGreaterThanMax_ReportsMin()
    {
        var result = Load(Fleet(Pool(extra: ["min: 8", "max: 4"])));

        AssertSingleError(result, 17, 10, "pools[0].min", "min (8) is greater than max (4)");
    }

    [Fact]
    public void Validate_IdleGreaterThanDefaultMax_ReportsIdle()
    {
        var result = Load(Fleet(Pool(extra: ["idle: 11"])));

        AssertSingleError(result, 17, 11, "pools[0].idle", "idle (11) is greater than max (10)");
    }

    [Fact]
    public void Validate_NegativeNumbers_ReportsEach()
    {
        var result = Load(Fleet(Pool(extra: ["min: -1", "idle: -2", "template: { gpu: -1, price: { onDemand: { perHour: 1 } } }", "budget: { limit: -5 }"])));

        Assert.Null(result.Config);
        Assert.Equal(4, result.Errors.Count);
        AssertError(result.Errors[0], 17, 10, "pools[0].min", "must not be negative, got -1");
        AssertError(result.Errors[1], 18, 11, "pools[0].idle", "must not be negative, got -2");
        AssertError(result.Errors[2], 19, 22, "pools[0].template.gpu", "must not be negative, got -1");
        AssertError(result.Errors[3], 20, 22, "pools[0].budget.limit", "must not be negative");
    }

    [Theory]
    [InlineData("idleTimeout: 0s", 18, "pools[0].idleTimeout")]
    [InlineData("maxLifetime: 0m", 18, "pools[0].maxLifetime")]
    [InlineData("timeouts: { registering: 0s }", 30, "pools[0].timeouts.registering")]
    public void Validate_ZeroDuration_ReportsField(string field, int column, string path)
    {
        var result = Load(Fleet(Pool(extra: [field])));

        AssertSingleError(result, 17, column, path, "must be longer than 0s");
    }

    [Fact]
    public void Validate_ZeroFleetDuration_ReportsField()
    {
        var result = Load("staleJobAge: 0s\n" + Fleet(Pool()));

        AssertSingleError(result, 1, 14, "staleJobAge", "must be longer than 0s");
    }

    [Fact]
    public void Validate_UnknownPolicy_ListsKnownPolicies()
    {
        var result = Load(Fleet(Pool(extra: ["policy: idle-pol"])));

        AssertSingleError(result, 17, 13, "pools[0].policy", "unknown policy 'idle-pol'; known policies: idle-pool, reactive; did you mean 'idle-pool'?");
    }

    [Fact]
    public void Validate_PolicyAddedThroughOptions_IsAccepted()
    {
        var options = new FleetConfigValidationOptions { Policies = new HashSet<string>(["predictive"]) };

        var result = Load(Fleet(Pool(extra: ["policy: predictive"])), options);

        AssertValid(result);
    }

    [Fact]
    public void Validate_PolicySettingsHook_ReportsAtSettingKey()
    {
        var options = FleetConfigValidationOptions.ForPolicies([new StrictPolicy()]);

        var result = Load(Fleet(Pool(extra: ["policy: strict", "policySettings:", "  window: 5m", "  factor: lots"])), options);

        AssertSingleError(result, 20, 15, "pools[0].policySettings.factor", "factor must be a number");
    }

    [Fact]
    public void ForPolicies_DuplicateNames_Throws()
    {
        Assert.Throws<ArgumentException>(() => FleetConfigValidationOptions.ForPolicies([new StrictPolicy(), new StrictPolicy()]));
    }

    [Fact]
    public void Validate_LabelsOnGitLabPool_ReportsLabels()
    {
        var result = Load(Fleet(Pool(forge: "gitlab", scope: "{ group: platform }", labels: "labels: [docker]", extra: ["runUntagged: true"])));

        AssertSingleError(result, 15, 13, "pools[0].labels", "labels are for GitHub pools; forge 'gitlab' is GitLab, use tags (and runUntagged)");
    }

    [Fact]
    public void Validate_TagsAndRunUntaggedOnGitHubPool_ReportsBoth()
    {
        var result = Load(Fleet(Pool(labels: "tags: [docker]", extra: ["runUntagged: true"])));

        Assert.Null(result.Config);
        Assert.Equal(2, result.Errors.Count);
        AssertError(result.Errors[0], 15, 11, "pools[0].tags", "tags are for GitLab pools; forge 'github' is GitHub, use labels");
        AssertError(result.Errors[1], 17, 18, "pools[0].runUntagged", "runUntagged is for GitLab pools");
    }

    [Fact]
    public void Validate_GitLabPoolWithoutTagsOrUntagged_ReportsNoJobCanMatch()
    {
        var result = Load(Fleet(Pool(forge: "gitlab", scope: "{ project: platform/api }", labels: "ephemeral: true")));

        AssertSingleError(result, 12, 5, "pools[0].tags", "no job can ever match it");
    }

    [Theory]
    [InlineData("gitlab", "{ org: acme }", "tags: [a]", 19, "pools[0].scope.org", "'org' is not a scope of gitlab forge 'gitlab'; use project, group or instance")]
    [InlineData("gitlab", "{ repo: acme/web }", "tags: [a]", 20, "pools[0].scope.repo", "'repo' is not a scope of gitlab forge 'gitlab'")]
    [InlineData("github", "{ group: acme }", "labels: [a]", 21, "pools[0].scope.group", "'group' is not a scope of github forge 'github'; use repo, org or enterprise")]
    [InlineData("github", "{ instance: true }", "labels: [a]", 24, "pools[0].scope.instance", "'instance' is not a scope of github forge 'github'")]
    public void Validate_ScopeKindNotOfForge_ReportsScopeKey(string forge, string scope, string labels, int column, string path, string message)
    {
        var result = Load(Fleet(Pool(forge: forge, scope: scope, labels: labels)));

        AssertSingleError(result, 14, column, path, message);
    }

    [Fact]
    public void Validate_ProfileAndCpu_ReportsProfile()
    {
        var result = Load(Fleet(Pool(extra: ["template:", "  profile: small", "  memory: 2Gi"])));

        AssertSingleError(result, 18, 16, "pools[0].template.profile", "set either profile or cpu/memory, not both");
    }

    [Fact]
    public void Validate_BadResourceQuantity_ReportsIt()
    {
        var result = Load(Fleet(Pool(extra: ["template: { cpu: two }"])));

        AssertSingleError(result, 17, 22, "pools[0].template.cpu", "'two' is not a resource quantity");
    }

    [Fact]
    public void Validate_BadCurrency_ReportsIt()
    {
        var result = Load(Fleet(Pool(extra: ["budget: { limit: 10, currency: euro }", "template: { price: { onDemand: { perHour: 1 } } }"])));

        AssertSingleError(result, 17, 36, "pools[0].budget.currency", "'euro' is not a currency code");
    }

    [Fact]
    public void Validate_BudgetWithoutLimit_ReportsMissingLimit()
    {
        var result = Load(Fleet(Pool(extra: ["budget: { period: day }", "template: { price: { onDemand: { perHour: 1 } } }"])));

        AssertSingleError(result, 17, 13, "pools[0].budget.limit", "required field 'limit' is missing");
    }

    [Fact]
    public void Validate_GitHubForgeWithoutAuth_ReportsAuth()
    {
        var text = Fleet(Pool()).Replace("    auth: { token: env:GITHUB_TOKEN }", "    auth: {}", StringComparison.Ordinal);

        AssertSingleError(Load(text), 4, 11, "forges[0].auth", "a GitHub forge needs token, or appId, installationId and privateKey");
    }

    [Fact]
    public void Validate_GitHubAppMissingPrivateKey_ReportsMissingField()
    {
        var text = Fleet(Pool()).Replace("{ token: env:GITHUB_TOKEN }", "{ appId: 1, installationId: 2 }", StringComparison.Ordinal);

        AssertSingleError(Load(text), 4, 11, "forges[0].auth.privateKey", "required for GitHub App authentication");
    }

    [Fact]
    public void Validate_TokenAndApp_ReportsToken()
    {
        var text = Fleet(Pool()).Replace("{ token: env:GITHUB_TOKEN }", "{ token: env:T, appId: 1, installationId: 2, privateKey: file:/k.pem }", StringComparison.Ordinal);

        AssertSingleError(Load(text), 4, 20, "forges[0].auth.token", "use either token or a GitHub App");
    }

    [Fact]
    public void Validate_GitLabWithAppId_ReportsAppId()
    {
        var text = Fleet(Pool()).Replace("{ token: env:GITLAB_TOKEN }", "{ token: env:GITLAB_TOKEN, appId: 3 }", StringComparison.Ordinal);

        AssertSingleError(Load(text), 7, 45, "forges[1].auth.appId", "GitHub App authentication is not available for a GitLab forge");
    }

    [Fact]
    public void Validate_ConfigBuiltInCode_ReportsWithoutLocation()
    {
        var config = new FleetConfig
        {
            Forges = [new ForgeConfig { Name = "gh", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com"), Auth = new ForgeAuth { Token = new SecretRef(SecretSource.Env, "T") } }],
            Providers = [new ProviderConfig { Name = "k8s", Type = "kubernetes" }],
            Pools = [new PoolConfig { Name = "p", Forge = "gh", Provider = "k8s", Scope = new PoolScope(ScopeKind.Organization, "acme"), Min = 3, Max = 2 }],
        };

        var errors = new FleetConfigValidator().Validate(config);

        var error = Assert.Single(errors);
        Assert.Equal((0, 0, "pools[0].min"), (error.Line, error.Column, error.Path));
    }

    private sealed class StrictPolicy : IScalingPolicy
    {
        public string Name => "strict";

        public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
            settings.TryGetValue("factor", out var factor) && !double.TryParse(factor, System.Globalization.CultureInfo.InvariantCulture, out _)
                ? [new PolicySettingError("factor", "factor must be a number")]
                : [];

        public PolicyDecision Decide(PolicyContext context) => throw new NotSupportedException("validation tests never decide");
    }
}
