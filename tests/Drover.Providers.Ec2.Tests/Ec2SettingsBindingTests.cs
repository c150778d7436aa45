using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;

namespace Drover.Providers.Ec2.Tests;

/// <summary>The provider's <c>settings</c> and each pool's <c>template.ec2</c>, bound with their file positions.</summary>
public sealed class Ec2SettingsBindingTests
{
    private const string Fleet = """
        forges:
          - { name: github, kind: github, auth: { token: env:GITHUB_TOKEN } }
        providers:
          - name: aws
            type: ec2
            settings:
        SETTINGS
        pools:
          - name: linux
            forge: github
            scope: { org: acme }
            labels: [linux]
            provider: aws
            max: 4
            template:
              spot: prefer
        TEMPLATE
        """;

    private const string GoodSettings = """
              region: eu-west-1
              bootstrapUrl: https://drover.example.com
        """;

    private const string GoodTemplate = """
              ec2: { ami: ami-0abc123, instanceTypes: [m7i.large] }
        """;

    [Fact]
    public void Bind_FullSettings_ReachTheProviderTyped()
    {
        var result = Load("""
                  region: eu-west-1
                  endpoint: http://127.0.0.1:4566
                  bootstrapUrl: https://drover.example.com/
                  bootstrapTokenValidity: 10m
                  listPageSize: 50
                  spotBreaker: { interruptions: 3, window: 10m, onDemandFor: 1h }
            """, """
                  ec2:
                    ssmParameter: /aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id
                    instanceTypes: [m7i.large, m6i.large]
                    subnets: [subnet-0a, subnet-0b]
                    securityGroups: [sg-0123]
                    instanceProfile: drover-runner
                    rootVolume: { sizeGiB: 100, type: gp3, deviceName: /dev/xvda }
                    tags: { team: platform, cost-center: ci }
                    launchTemplate: { name: runners, version: $Latest }
                    os: windows
            """);

        Assert.Empty(result.Errors);
        var settings = Assert.IsType<Ec2ProviderSettings>(result.Config!.Providers[0].ModuleSettings);
        Assert.Equal(("eu-west-1", "http://127.0.0.1:4566/", "https://drover.example.com/"), (settings.Region, settings.Endpoint?.ToString(), settings.BootstrapUrl.ToString()));
        Assert.Equal((TimeSpan.FromMinutes(10), 50, 3, TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)),
            (settings.BootstrapTokenValidity, settings.ListPageSize, settings.SpotBreakerInterruptions, settings.SpotBreakerWindow, settings.SpotBreakerOnDemandFor));
        var template = result.Config.Pools[0].Template.For<Ec2TemplateSettings>("ec2")!;
        Assert.Equal(["m7i.large", "m6i.large"], template.InstanceTypes);
        Assert.Equal(["subnet-0a", "subnet-0b"], template.Subnets);
        Assert.Equal((100, "gp3", "/dev/xvda"), (template.RootVolumeSizeGiB, template.RootVolumeType, template.RootDeviceName));
        Assert.Equal(("runners", "$Latest"), (template.LaunchTemplateName, template.LaunchTemplateVersion));
        Assert.Equal(InstanceOs.Windows, template.Os);
        Assert.Equal(@"C:\actions-runner", template.RunnerDirectory);
        Assert.Equal([new("team", "platform"), new("cost-center", "ci")], template.Tags);
    }

    [Fact]
    public void Bind_Defaults_BreakerTwoIn15MinutesTokenValid15Minutes()
    {
        var result = Load(GoodSettings, GoodTemplate);

        Assert.Empty(result.Errors);
        var settings = (Ec2ProviderSettings)result.Config!.Providers[0].ModuleSettings!;
        Assert.Equal((2, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15), 1000), (settings.SpotBreakerInterruptions, settings.SpotBreakerWindow, settings.BootstrapTokenValidity, settings.ListPageSize));
    }

    [Theory]
    [InlineData("region: eu-west-1", "providers[0].settings.bootstrapUrl", "required")]
    [InlineData("bootstrapUrl: https://drover.example.com", "providers[0].settings.region", "required")]
    [InlineData("{ region: europe, bootstrapUrl: https://d.example.com }", "providers[0].settings.region", "not an AWS region")]
    [InlineData("{ region: eu-west-1, bootstrapUrl: ftp://d.example.com }", "providers[0].settings.bootstrapUrl", "invalid URL")]
    [InlineData("{ region: eu-west-1, bootstrapUrl: 'https://d.example.com/?x=1' }", "providers[0].settings.bootstrapUrl", "without a query")]
    [InlineData("{ region: eu-west-1, bootstrapUrl: https://d.example.com, bootstrapTokenValidity: 1d }", "providers[0].settings.bootstrapTokenValidity", "between 1m and 2h")]
    [InlineData("{ region: eu-west-1, bootstrapUrl: https://d.example.com, listPageSize: 2 }", "providers[0].settings.listPageSize", "between 5 and 1000")]
    [InlineData("{ region: eu-west-1, bootstrapUrl: https://d.example.com, spotBreaker: { interruptions: 0 } }", "providers[0].settings.spotBreaker.interruptions", "at least 1")]
    [InlineData("{ region: eu-west-1, bootstrapUrl: https://d.example.com, regoin: x }", "providers[0].settings.regoin", "region")]
    public void Bind_BadSetting_IsReportedAtItsPathAndPosition(string settings, string path, string words)
    {
        var result = Load("      " + settings, GoodTemplate);

        var error = Assert.Single(result.Errors, e => e.Path == path);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0 && error.Column > 0);
    }

    [Theory]
    [InlineData("", "pools[0].template.ec2", "required")]
    [InlineData("      ec2: { instanceTypes: [m7i.large] }", "pools[0].template.ec2.ami", "required")]
    [InlineData("      ec2: { ami: ami-1 }", "pools[0].template.ec2.instanceTypes", "required")]
    [InlineData("      ec2: { ami: ubuntu, instanceTypes: [m7i.large] }", "pools[0].template.ec2.ami", "not an AMI id")]
    [InlineData("      ec2: { ami: ami-1, ssmParameter: /a/b, instanceTypes: [m7i.large] }", "pools[0].template.ec2.ssmParameter", "one way")]
    [InlineData("      ec2: { ami: ami-1, instanceTypes: [m7i.large, m7i.large] }", "pools[0].template.ec2.instanceTypes[1]", "twice")]
    [InlineData("      ec2: { ami: ami-1, instanceTypes: [m7i.large], subnets: [eu-west-1a] }", "pools[0].template.ec2.subnets[0]", "subnet id")]
    [InlineData("      ec2: { ami: ami-1, instanceTypes: [m7i.large], securityGroups: [default] }", "pools[0].template.ec2.securityGroups[0]", "security group id")]
    [InlineData("      ec2: { ami: ami-1, instanceTypes: [m7i.large], os: macos }", "pools[0].template.ec2.os", "")]
    [InlineData("      ec2: { ami: ami-1, instanceTypes: [m7i.large], rootVolume: { sizeGiB: 0 } }", "pools[0].template.ec2.rootVolume.sizeGiB", "between 1 and 16384")]
    [InlineData("      ec2: { ami: ami-1, instanceTypes: [m7i.large], rootVolume: { type: ssd } }", "pools[0].template.ec2.rootVolume.type", "gp3")]
    [InlineData("      ec2: { ami: ami-1, instanceTypes: [m7i.large], tags: { 'drover:pool': x } }", "pools[0].template.ec2.tags.drover:pool", "Drover's")]
    [InlineData("      ec2: { launchTemplate: { id: lt-1, name: x } }", "pools[0].template.ec2.launchTemplate", "exactly one")]
    [InlineData("      ec2: { launchTemplate: { id: runners } }", "pools[0].template.ec2.launchTemplate.id", "not a launch template id")]
    [InlineData("      ec2: { launchTemplate: { name: x, version: newest } }", "pools[0].template.ec2.launchTemplate.version", "$Latest")]
    public void Bind_BadTemplate_IsReportedAtItsPathAndPosition(string template, string path, string words)
    {
        var result = Load(GoodSettings, template);

        var error = Assert.Single(result.Errors, e => e.Path == path);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0 && error.Column > 0);
    }

    [Fact]
    public void Bind_LaunchTemplateAlone_NeedsNoImageOrTypes()
    {
        var result = Load(GoodSettings, "      ec2: { launchTemplate: { id: lt-0abc, version: '3' } }");

        Assert.Empty(result.Errors);
        Assert.Equal("lt-0abc", result.Config!.Pools[0].Template.For<Ec2TemplateSettings>("ec2")!.LaunchTemplateId);
    }

    private static ConfigLoadResult Load(string settings, string template)
    {
        var catalog = new AdapterCatalog().Add(new Ec2Module());
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        var yaml = Fleet.Replace("SETTINGS", settings, StringComparison.Ordinal).Replace("TEMPLATE", template, StringComparison.Ordinal);
        return loader.LoadFromString(yaml, "fleet.yaml");
    }
}
