using Amazon.Runtime;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Testing.Ec2;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Providers.Ec2.Tests;

/// <summary>The real provider (AWS SDK and all) against an <see cref="Ec2Emulator"/>, with a fleet of one pool <c>linux</c>.</summary>
internal sealed class Ec2Harness : IAsyncDisposable
{
    private readonly List<Ec2Provider> _restarted = [];
    private readonly TimeSpan? _grace;

    private Ec2Harness(Ec2Emulator emulator, Ec2Provider provider, FleetConfig fleet, RunnerCredentialVault vault, InstanceBootstrap bootstrap, FakeTimeProvider time, TimeSpan? grace)
    {
        _grace = grace;
        Emulator = emulator;
        Provider = provider;
        Fleet = fleet;
        Vault = vault;
        Bootstrap = bootstrap;
        Time = time;
    }

    public Ec2Emulator Emulator { get; }

    public Ec2Provider Provider { get; }

    public FleetConfig Fleet { get; }

    public RunnerCredentialVault Vault { get; }

    public InstanceBootstrap Bootstrap { get; }

    public FakeTimeProvider Time { get; }

    public static async Task<Ec2Harness> StartAsync(string spot = "prefer", string ec2 = "{ ami: ami-0abc, instanceTypes: [m7i.large, m6i.large], subnets: [subnet-0a, subnet-0b] }", string settings = "", TimeSpan? grace = null, Action<Ec2Emulator>? configure = null)
    {
        // Instances stay running unless a test lets them boot (and shut down when their boot hook returns).
        var emulator = await Ec2Emulator.StartAsync(e =>
        {
            e.Boots = _ => false;
            configure?.Invoke(e);
        });
        var yaml = $$"""
            controllerId: drover-test
            forges:
              - { name: github, kind: github, url: https://api.github.com, auth: { token: env:GITHUB_TOKEN } }
            providers:
              - name: aws
                type: ec2
                settings: { region: us-east-1, endpoint: "{{emulator.Url}}", bootstrapUrl: "https://drover.example.com" {{settings}} }
            pools:
              - name: linux
                forge: github
                scope: { org: acme }
                labels: [linux]
                provider: aws
                max: 30
                template:
                  spot: {{spot}}
                  ec2: {{ec2}}
            """;
        var loader = new FleetConfigLoader(new AdapterCatalog().Add(new Ec2Module()).ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        var result = loader.LoadFromString(yaml, "fleet.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var fleet = result.Config!;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var vault = new RunnerCredentialVault();
        var bootstrap = new InstanceBootstrap(time);
        var provider = Create(fleet, vault, bootstrap, time, grace);
        return new Ec2Harness(emulator, provider, fleet, vault, bootstrap, time, grace);
    }

    /// <summary>A second provider over the same account, vault and tokens, with nothing in memory: Drover after a restart.</summary>
    public Ec2Provider Restarted()
    {
        var provider = Create(Fleet, Vault, Bootstrap, Time, _grace);
        _restarted.Add(provider);
        return provider;
    }

    private static Ec2Provider Create(FleetConfig fleet, RunnerCredentialVault vault, InstanceBootstrap bootstrap, FakeTimeProvider time, TimeSpan? grace)
    {
        var context = new AdapterContext(fleet, vault, time, NullLoggerFactory.Instance) { Bootstrap = bootstrap };
        return Ec2ProviderFactory.Create(fleet.Providers[0], context, new BasicAWSCredentials("AKIDEMULATOR", "emulator-secret"), grace);
    }

    /// <summary>A create request of pool linux for <paramref name="runner"/>, its credential waiting in the vault.</summary>
    public InstanceRequest Request(string runner, string kind = "jit-config")
    {
        var reference = Vault.Put(runner, new RunnerCredential(kind, "SECRET-" + runner));
        return new InstanceRequest("linux", runner, Fleet.Pools[0].Template, reference);
    }

    public async ValueTask DisposeAsync()
    {
        Provider.Dispose();
        _restarted.ForEach(p => p.Dispose());
        await Emulator.DisposeAsync();
    }
}
