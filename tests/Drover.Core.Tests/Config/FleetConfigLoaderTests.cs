using Drover.Core.Config;
using Drover.Core.Cost;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

public sealed class FleetConfigLoaderTests
{
    private const string FullConfig = """
        controllerId: drover-test
        orphanGracePeriod: 15m
        staleJobAge: 2d
        forges:
          - name: gh
            kind: github
            url: https://ghe.example.com/api/v3
            auth: { appId: 42, installationId: 7, privateKey: file:/etc/drover/app.pem }
            webhookSecret: env:GH_HOOK
            pollInterval: 20s
          - name: gl
            kind: gitlab
            auth: { token: env:GL_TOKEN }
        providers:
          - name: k8s
            type: kubernetes
            settings: { namespace: ci, apiToken: env:K8S_TOKEN }
        pools:
          - name: gpu
            forge: gh
            scope: { repo: acme/ml }
            labels: [linux, gpu]
            provider: k8s
            template:
              image: runner:1
              cpu: "8"
              memory: 32Gi
              gpu: 2
              spot: require
              settings: { nodeSelector: gpu }
              price: { currency: EUR, onDemand: { perGpuHour: 1.2 }, spot: { perGpuHour: 0.4 } }
            min: 1
            max: 5
            idle: 2
            idleTimeout: 90s
            maxLifetime: 1d
            ephemeral: false
            policy: idle-pool
            policySettings: { scaleFactor: 0.5 }
            priority: -3
            team: ml
            budget: { limit: 99.5, period: day, currency: EUR }
            timeouts: { requested: 1m, provisioning: 2m, registering: 3m, busy: 4h, draining: 5m, finishedJobGrace: 6m }
            schedules:
              - cron: "* 8-18 * * 1-5"
                timezone: Europe/Berlin
                min: 2
                idle: 3
                max: 5
          - name: shell
            forge: gl
            scope: { instance: true }
            tags: [shell]
            runUntagged: true
            provider: k8s
            template: { profile: xlarge }
        """;

    [Fact]
    public void LoadFromString_FullConfig_BindsEveryField()
    {
        var result = Load(FullConfig);

        AssertValid(result);
        var config = result.Config!;
        Assert.Equal("drover-test", config.ControllerId);
        Assert.Equal(TimeSpan.FromMinutes(15), config.OrphanGracePeriod);
        Assert.Equal(TimeSpan.FromDays(2), config.StaleJobAge);

        var gh = config.FindForge("gh")!;
        Assert.Equal(ForgeKind.GitHub, gh.Kind);
        Assert.Equal(new Uri("https://ghe.example.com/api/v3"), gh.Url);
        Assert.Equal(new ForgeAuth { AppId = 42, InstallationId = 7, PrivateKey = new SecretRef(SecretSource.File, "/etc/drover/app.pem") }, gh.Auth);
        Assert.Equal(new SecretRef(SecretSource.Env, "GH_HOOK"), gh.WebhookSecret);
        Assert.Equal(TimeSpan.FromSeconds(20), gh.PollInterval);
        var gl = config.FindForge("gl")!;
        Assert.Equal(ForgeKind.GitLab, gl.Kind);
        Assert.Equal(new Uri("https://gitlab.com"), gl.Url);
        Assert.Equal(new SecretRef(SecretSource.Env, "GL_TOKEN"), gl.Auth.Token);
        Assert.Null(gl.WebhookSecret);
        Assert.Null(gl.PollInterval);

        var k8s = config.FindProvider("k8s")!;
        Assert.Equal("kubernetes", k8s.Type);
        Assert.Equal("ci", k8s.Settings["namespace"]);
        Assert.Equal("env:K8S_TOKEN", k8s.Settings["apiToken"]);

        var gpu = config.FindPool("gpu")!;
        Assert.Equal(("gh", "k8s"), (gpu.Forge, gpu.Provider));
        Assert.Equal(new PoolScope(ScopeKind.Repository, "acme/ml"), gpu.Scope);
        Assert.Equal(["linux", "gpu"], gpu.Labels);
        Assert.Equal("runner:1", gpu.Template.Image);
        Assert.Null(gpu.Template.Profile);
        Assert.Equal(("8", "32Gi", 2, SpotPreference.Require), (gpu.Template.Cpu, gpu.Template.Memory, gpu.Template.Gpu, gpu.Template.Spot));
        Assert.Equal("gpu", gpu.Template.Settings["nodeSelector"]);
        Assert.Equal(new RunnerPrice(0.8m, "EUR", BillingGranularity.PerSecond, TimeSpan.Zero), PriceBook.For(config, gpu));
        Assert.Equal((1, 5, 2), (gpu.Min, gpu.Max, gpu.Idle));
        Assert.Equal(TimeSpan.FromSeconds(90), gpu.IdleTimeout);
        Assert.Equal(TimeSpan.FromDays(1), gpu.MaxLifetime);
        Assert.False(gpu.Ephemeral);
        Assert.Equal("idle-pool", gpu.Policy);
        Assert.Equal("0.5", gpu.PolicySettings["scaleFactor"]);
        Assert.Equal(-3, gpu.Priority);
        Assert.Equal("ml", gpu.Team);
        Assert.Equal(new BudgetConfig { Limit = 99.5m, Period = BudgetPeriod.Day, Currency = "EUR" }, gpu.Budget);
        Assert.Equal(
            new RunnerTimeouts
            {
                Requested = TimeSpan.FromMinutes(1),
                Provisioning = TimeSpan.FromMinutes(2),
                Registering = TimeSpan.FromMinutes(3),
                Busy = TimeSpan.FromHours(4),
                Draining = TimeSpan.FromMinutes(5),
                FinishedJobGrace = TimeSpan.FromMinutes(6),
            },
            gpu.Timeouts);
        var schedule = Assert.Single(gpu.Schedules);
        Assert.Equal(new ScheduleConfig { Cron = "* 8-18 * * 1-5", TimeZone = "Europe/Berlin", Min = 2, Idle = 3, Max = 5 }, schedule);

        var shell = config.FindPool("shell")!;
        Assert.Equal(new PoolScope(ScopeKind.Instance, string.Empty), shell.Scope);
        Assert.Equal(["shell"], shell.Tags);
        Assert.True(shell.RunUntagged);
        Assert.Equal(ResourceProfile.XLarge, shell.Template.Profile);
    }

    [Fact]
    public void LoadFromString_MinimalPool_UsesModelDefaults()
    {
        var result = Load(Fleet(Pool()));

        AssertValid(result);
        var pool = Assert.Single(result.Config!.Pools);
        Assert.Equal((0, 10, 0, 0), (pool.Min, pool.Max, pool.Idle, pool.Priority));
        Assert.Equal(TimeSpan.FromMinutes(5), pool.IdleTimeout);
        Assert.Null(pool.MaxLifetime);
        Assert.True(pool.Ephemeral);
        Assert.Equal("reactive", pool.Policy);
        Assert.Empty(pool.PolicySettings);
        Assert.Empty(pool.Schedules);
        Assert.Empty(pool.Tags);
        Assert.False(pool.RunUntagged);
        Assert.Null(pool.Budget);
        Assert.Null(pool.Team);
        Assert.Equal(RunnerTimeouts.Default, pool.Timeouts);
        Assert.Equal(SpotPreference.None, pool.Template.Spot);
        Assert.Equal("drover", result.Config.ControllerId);
    }

    [Fact]
    public void LoadFromString_ValidConfig_SourceMapLocatesFields()
    {
        var result = Load(Fleet(Pool(extra: ["max: 5"])));

        AssertValid(result);
        Assert.Equal(new ConfigLocation(17, 10), result.SourceMap.Locate("pools[0].max"));
        Assert.Equal(new ConfigLocation(12, 5), result.SourceMap.Locate("pools[0].idle"));
        Assert.Equal(new ConfigLocation(15, 14), result.SourceMap.Locate("pools[0].labels[0]"));
    }

    [Theory]
    [InlineData("2s", "must be between 5s and 30m, got 2s")]
    [InlineData("2h", "must be between 5s and 30m, got 2h")]
    public void LoadFromString_ForgePollIntervalOutOfRange_IsRefusedAtTheField(string value, string message)
    {
        var result = Load(Fleet(Pool()).Replace("auth: { token: env:GITHUB_TOKEN }", "auth: { token: env:GITHUB_TOKEN }\n    pollInterval: " + value, StringComparison.Ordinal));

        var error = Assert.Single(result.Errors);
        Assert.Equal("forges[0].pollInterval", error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 1);
    }

    [Fact]
    public void LoadFromString_UnknownKey_SuggestsClosestKey()
    {
        var result = Load(Fleet(Pool(extra: ["maxx: 5"])));

        var error = AssertSingleError(result, 17, 5, "pools[0].maxx", "unknown key 'maxx'; did you mean 'max'?");
        Assert.Equal("fleet.yaml:17:5: pools[0].maxx: unknown key 'maxx'; did you mean 'max'?", error.ToString());
    }

    [Fact]
    public void LoadFromString_UnknownKeyWithWrongCase_SuggestsKey()
    {
        var result = Load(Fleet(Pool(extra: ["IdleTimeout: 5m"])));

        AssertSingleError(result, 17, 5, "pools[0].IdleTimeout", "did you mean 'idleTimeout'?");
    }

    [Fact]
    public void LoadFromString_UnknownKeyFarFromAny_ListsKnownKeys()
    {
        var result = Load("colour: blue\n" + Fleet(Pool()));

        AssertSingleError(result, 1, 1, "colour", "known keys: controllerId, orphanGracePeriod, staleJobAge, forges, providers, pools");
    }

    [Theory]
    [InlineData("max: twenty", 10, "expected an integer, got 'twenty'")]
    [InlineData("max: \"5\"", 10, "expected an integer, got the quoted string \"5\"")]
    [InlineData("max: 2.5", 10, "expected an integer, got '2.5'")]
    [InlineData("max: [1]", 10, "expected an integer, got a list")]
    [InlineData("max:", 9, "has no value; expected an integer")]
    [InlineData("ephemeral: yes", 16, "expected true or false, got 'yes'")]
    [InlineData("idleTimeout: 5", 18, "invalid duration '5'")]
    [InlineData("maxLifetime: 1h 30m", 18, "invalid duration '1h 30m'")]
    [InlineData("team: { name: web }", 11, "expected a string, got a mapping")]
    [InlineData("schedules: daily", 16, "expected a list, got a string")]
    [InlineData("template: medium", 15, "expected a mapping, got a string")]
    [InlineData("policySettings: [a]", 21, "expected a mapping of settings, got a list")]
    public void LoadFromString_WrongType_ReportsValueLocation(string field, int column, string message)
    {
        var result = Load(Fleet(Pool(extra: [field])));

        var key = field[..field.IndexOf(':', StringComparison.Ordinal)];
        AssertSingleError(result, 17, column, $"pools[0].{key}", message);
    }

    [Fact]
    public void LoadFromString_LabelsNotAList_ReportsWrongType()
    {
        var result = Load(Fleet(Pool(labels: "labels: linux")));

        AssertSingleError(result, 15, 13, "pools[0].labels", "expected a list of strings, got a string");
    }

    [Fact]
    public void LoadFromString_MissingRequiredFields_ReportsEachAtTheMapping()
    {
        var result = Load(Header + "\n  - max: 3\n");

        Assert.Null(result.Config);
        Assert.Equal(
            ["pools[0].forge", "pools[0].name", "pools[0].provider", "pools[0].scope"],
            result.Errors.Select(e => e.Path));
        Assert.All(result.Errors, e => Assert.Equal((12, 5), (e.Line, e.Column)));
        Assert.All(result.Errors, e => Assert.StartsWith("required field '", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadFromString_MissingSections_ReportsEachAtTheRoot()
    {
        var result = Load("controllerId: drover\n");

        Assert.Equal(
            ["fleet.yaml:1:1: forges: required field 'forges' is missing", "fleet.yaml:1:1: pools: required field 'pools' is missing", "fleet.yaml:1:1: providers: required field 'providers' is missing"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void LoadFromString_EmptyPoolList_ReportsAtLeastOne()
    {
        var result = Load(Header + " []\n");

        AssertSingleError(result, 11, 8, "pools", "at least one pool is required");
    }

    [Fact]
    public void LoadFromString_UnknownEnumValues_ListChoices()
    {
        var result = Load(Fleet(Pool(extra: ["template: { profile: huge, spot: always, price: { onDemand: { perHour: 1 } } }", "budget: { limit: 5, period: year }"])));

        Assert.Null(result.Config);
        Assert.Equal(3, result.Errors.Count);
        AssertError(result.Errors[0], 17, 26, "pools[0].template.profile", "unknown value 'huge'; expected one of: small, medium, large, xlarge");
        AssertError(result.Errors[1], 17, 38, "pools[0].template.spot", "unknown value 'always'; expected one of: none, prefer, require");
        AssertError(result.Errors[2], 18, 33, "pools[0].budget.period", "unknown value 'year'; expected one of: day, week, month");
    }

    [Fact]
    public void LoadFromString_UnknownForgeKind_SuggestsKind()
    {
        var result = Load(Fleet(Pool()).Replace("kind: gitlab", "kind: GitLab", StringComparison.Ordinal));

        AssertSingleError(result, 6, 11, "forges[1].kind", "did you mean 'gitlab'?");
    }

    [Theory]
    [InlineData("api.github.com")]
    [InlineData("ftp://example.com")]
    [InlineData("https://")]
    public void LoadFromString_InvalidUrl_ReportsUrl(string url)
    {
        var text = Fleet(Pool()).Replace("    kind: github\n", $"    kind: github\n    url: {url}\n", StringComparison.Ordinal);

        AssertSingleError(Load(text), 4, 10, "forges[0].url", "invalid URL");
    }

    [Fact]
    public void LoadFromString_ManyProblems_ReportsAllInFileOrder()
    {
        var result = Load(Fleet(
            Pool(name: "a", extra: ["max: -1", "idleTimeout: soon"]),
            Pool(name: "b", provider: "nope", extra: ["maxx: 3"])));

        Assert.Null(result.Config);
        Assert.Equal(
            [
                "fleet.yaml:17:10: pools[0].max: must not be negative, got -1",
                "fleet.yaml:18:18: pools[0].idleTimeout: invalid duration 'soon'; write a number and a unit, e.g. 30s, 5m, 1h30m, 2d",
                "fleet.yaml:23:15: pools[1].provider: unknown provider 'nope' (defined providers: k8s)",
                "fleet.yaml:24:5: pools[1].maxx: unknown key 'maxx'; did you mean 'max'?",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void LoadFromString_SyntaxError_ReportsParserPosition()
    {
        var result = Load("forges:\n  - name: a\n   kind: github\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, 4), (error.Line, error.Column));
        Assert.StartsWith("invalid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromString_DuplicateKey_ReportsSecondOccurrence()
    {
        var result = Load(Fleet(Pool(extra: ["max: 5", "max: 6"])));

        AssertSingleError(result, 18, 5, string.Empty, "duplicate key 'max' (first written at line 17)");
    }

    [Fact]
    public void LoadFromString_EmptyFile_ReportsEmpty()
    {
        var result = Load("# nothing here\n");

        AssertSingleError(result, 1, 1, string.Empty, "the file is empty");
    }

    [Fact]
    public void LoadFromString_TwoDocuments_ReportsSecond()
    {
        var result = Load(Fleet(Pool()) + "---\nx: 1\n");

        AssertSingleError(result, 17, 1, string.Empty, "only one YAML document is allowed per file");
    }

    [Fact]
    public void LoadFromString_RootIsList_ReportsExpectedMapping()
    {
        var result = Load("- a\n- b\n");

        AssertSingleError(result, 1, 1, string.Empty, "expected a mapping, got a list");
    }

    [Fact]
    public void LoadFromString_AnchorsAndMergeKeys_ShareSettings()
    {
        var text = Header + """

              - &base
                name: a
                forge: github
                scope: { org: acme }
                labels: [a]
                provider: k8s
                max: 7
              - <<: *base
                name: b
                labels: [b]
            """;

        var result = Load(text);

        AssertValid(result);
        var b = result.Config!.FindPool("b")!;
        Assert.Equal((7, "github", "k8s"), (b.Max, b.Forge, b.Provider));
        Assert.Equal(["b"], b.Labels);
    }

    [Fact]
    public void LoadFromString_UnknownAlias_ReportsAlias()
    {
        var result = Load(Fleet(Pool(extra: ["max: *limit"])));

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Line == 17 && e.Message.Contains("alias *limit", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadFromString_ScopeWithTwoKinds_ReportsSecondKey()
    {
        var result = Load(Fleet(Pool(scope: "{ org: acme, repo: acme/web }")));

        AssertSingleError(result, 14, 25, "pools[0].scope.repo", "a scope has exactly one kind; 'org' is already set");
    }

    [Fact]
    public void LoadFromString_ScopeWithoutKind_ReportsScope()
    {
        var result = Load(Fleet(Pool(scope: "{}")));

        AssertSingleError(result, 14, 12, "pools[0].scope", "needs exactly one of repo, org, enterprise (GitHub) or project, group, instance (GitLab)");
    }

    [Theory]
    [InlineData("{ repo: web }", "pools[0].scope.repo", "a repository is written owner/name, got 'web'")]
    [InlineData("{ org: acme/web }", "pools[0].scope.org", "an org is a single name without '/'")]
    [InlineData("{ instance: false }", "pools[0].scope.instance", "an instance scope is written 'instance: true'")]
    public void LoadFromString_MalformedScope_ReportsScopeValue(string scope, string path, string message)
    {
        var result = Load(Fleet(Pool(scope: scope)));

        Assert.Null(result.Config);
        Assert.Contains(result.Errors, e => e.Path == path && e.Line == 14 && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadFromFile_MissingFile_ReportsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-missing-{Guid.NewGuid():N}.yaml");

        var result = new FleetConfigLoader().LoadFromFile(path);

        Assert.Null(result.Config);
        Assert.Equal($"{path}: file not found", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void LoadFromFile_ExistingFile_NamesFileInErrors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Fleet(Pool(extra: ["min: x"])));
        try
        {
            var result = new FleetConfigLoader().LoadFromFile(path);

            Assert.Equal($"{path}:17:10: pools[0].min: expected an integer, got 'x'", Assert.Single(result.Errors).ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ToString_WithoutPathOrPosition_LeavesThemOut()
    {
        Assert.Equal("f.yaml: gone", new ConfigError("f.yaml", 0, 0, string.Empty, "gone").ToString());
        Assert.Equal("f.yaml:3:4: bad", new ConfigError("f.yaml", 3, 4, string.Empty, "bad").ToString());
        Assert.Equal("f.yaml:3:4: a.b: bad", new ConfigError("f.yaml", 3, 4, "a.b", "bad").ToString());
    }
}
