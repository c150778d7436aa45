using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Testing.Ec2;

namespace Drover.Providers.Ec2.Tests;

/// <summary>The real provider, through the AWS SDK, against the EC2 emulator.</summary>
public sealed class Ec2ProviderTests
{
    [Fact]
    public async Task Create_LaunchesWithOwnershipTagsAndOnlyAOneTimeTokenInUserData()
    {
        await using var h = await Ec2Harness.StartAsync(spot: "none", ec2: "{ ami: ami-0abc, instanceTypes: [m7i.large], subnets: [subnet-0b], securityGroups: [sg-01], instanceProfile: runner, rootVolume: { sizeGiB: 64, type: gp3 }, tags: { team: ci } }");

        var id = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        var instance = h.Emulator.Find(id)!;
        Assert.Equal(("ami-0abc", "m7i.large", "subnet-0b", "us-east-1b", false), (instance.ImageId, instance.InstanceType, instance.SubnetId, instance.AvailabilityZone, instance.Spot));
        Assert.Equal(["sg-01"], instance.SecurityGroups);
        Assert.Equal(("runner", (int?)64, "gp3", "terminate"), (instance.InstanceProfile, instance.RootVolume.SizeGiB, instance.RootVolume.Type, instance.ShutdownBehavior));
        Assert.Equal("required", instance.Parameters["MetadataOptions.HttpTokens"]);
        Assert.Equal(
            new Dictionary<string, string> { ["drover:controller"] = "drover-test", ["drover:provider"] = "aws", ["drover:pool"] = "linux", ["drover:runner"] = "r-1", ["Name"] = "r-1", ["team"] = "ci" },
            instance.Tags);
        Assert.DoesNotContain("SECRET-r-1", instance.UserData, StringComparison.Ordinal);
        var (url, token) = InstanceBootstrapClient.Read(instance.UserData)!.Value;
        Assert.Equal(new Uri("https://drover.example.com/"), url);
        Assert.Equal("SECRET-r-1", h.Bootstrap.TakeCredential(token)?.Reveal());
        Assert.Null(h.Bootstrap.TakeCredential(token));
        Assert.Equal(0, h.Vault.Count);
    }

    [Fact]
    public async Task Create_SsmParameter_LaunchesTheImageEc2ResolvesAtLaunch()
    {
        await using var h = await Ec2Harness.StartAsync(ec2: "{ ssmParameter: /aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id, instanceTypes: [m7i.large] }");

        var id = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        Assert.Equal("ami-0ubuntu2404", h.Emulator.Find(id)!.ImageId);
    }

    [Fact]
    public async Task Create_RepeatedForTheSameRunner_LaunchesOnce_AlsoFromAFreshProviderAfterARestart()
    {
        await using var h = await Ec2Harness.StartAsync();
        var first = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        var again = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);
        var afterRestart = await h.Restarted().CreateAsync(h.Request("r-1"), CancellationToken.None);

        Assert.Equal((first, first), (again, afterRestart));
        Assert.Single(h.Emulator.Live());
        Assert.Equal(1, h.Emulator.Calls("RunInstances"));
    }

    [Fact]
    public async Task Create_AnswerLostWhileEc2DoesNotListItYet_RetryRepeatsTheLaunchAndGetsTheSameInstanceWithAWorkingToken()
    {
        await using var h = await Ec2Harness.StartAsync(configure: e => e.InvisibleFor = TimeSpan.FromMinutes(5));
        h.Emulator.LoseNextAnswers(1);

        var lost = await Assert.ThrowsAsync<Ec2ApiException>(() => h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None));
        var id = await h.Provider.CreateAsync(new Drover.Core.Adapters.InstanceRequest("linux", "r-1", h.Fleet.Pools[0].Template, "vault:r-1"), CancellationToken.None);

        Assert.Equal(CallFailureKind.Transient, CallFailures.Classify(lost).Kind);
        Assert.Equal(2, h.Emulator.Calls("RunInstances"));
        var instance = Assert.Single(h.Emulator.Instances());
        Assert.Equal(id, instance.Id);
        Assert.Equal("SECRET-r-1", h.Bootstrap.TakeCredential(InstanceBootstrapClient.Read(instance.UserData)!.Value.Token)?.Reveal());
    }

    [Fact]
    public async Task Create_AfterARestartWhileEc2DoesNotListTheFirstLaunchYet_LaunchesNothingNew_ThenFindsIt()
    {
        await using var h = await Ec2Harness.StartAsync(configure: e =>
        {
            e.InvisibleFor = TimeSpan.FromSeconds(1);
            e.Boots = _ => false;
        });
        var first = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);
        var restarted = h.Restarted();

        var early = await Assert.ThrowsAsync<Ec2ApiException>(() => restarted.CreateAsync(h.Request("r-1"), CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var found = await restarted.CreateAsync(h.Request("r-1"), CancellationToken.None);

        Assert.Equal(CallFailureKind.Transient, CallFailures.Classify(early).Kind);
        Assert.Contains("IdempotentParameterMismatch", early.Message, StringComparison.Ordinal);
        Assert.Equal(first, found);
        Assert.Single(h.Emulator.Instances());
    }

    [Fact]
    public async Task Create_NoSpotCapacity_TriesEachTypeAndZoneThenOnDemand()
    {
        await using var h = await Ec2Harness.StartAsync(spot: "prefer", configure: e => e.HasCapacity = (_, _, spot) => !spot);

        var id = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        var instance = h.Emulator.Find(id)!;
        Assert.False(instance.Spot);
        Assert.Equal(("m7i.large", "subnet-0a"), (instance.InstanceType, instance.SubnetId));
        Assert.Equal(4, h.Emulator.CapacityRefusals);
        Assert.Equal(5, h.Emulator.Calls("RunInstances"));
    }

    [Fact]
    public async Task Create_FirstTypeOutInOneZone_TakesTheNextZoneThenTheNextType()
    {
        await using var h = await Ec2Harness.StartAsync(spot: "none", configure: e => e.HasCapacity = (type, zone, _) => !(type == "m7i.large" && zone == "us-east-1a"));

        var id = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        Assert.Equal(("m7i.large", "subnet-0b"), (h.Emulator.Find(id)!.InstanceType, h.Emulator.Find(id)!.SubnetId));
    }

    [Fact]
    public async Task Create_SpotRequiredAndNoSpotAnywhere_FailsTransientNamingEveryChoice_AndPutsTheCredentialBack()
    {
        await using var h = await Ec2Harness.StartAsync(spot: "require", configure: e => e.HasCapacity = (_, _, spot) => !spot);

        var error = await Assert.ThrowsAsync<Ec2ApiException>(() => h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None));

        Assert.Equal(CallFailureKind.Transient, CallFailures.Classify(error).Kind);
        Assert.Contains("m6i.large spot in subnet-0b: InsufficientInstanceCapacity", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Emulator.Instances());
        Assert.Equal(1, h.Vault.Count);
        Assert.Equal(0, h.Bootstrap.Count);
    }

    [Fact]
    public async Task Calls_Throttled_AreRateLimitedWithARetryTime()
    {
        await using var h = await Ec2Harness.StartAsync();
        h.Emulator.ThrottleNext(2);

        var list = await Assert.ThrowsAsync<Ec2ApiException>(() => h.Provider.ListAsync(CancellationToken.None));
        var create = await Assert.ThrowsAsync<Ec2ApiException>(() => h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None));

        var (kind, retryAt) = CallFailures.Classify(list);
        Assert.Equal(CallFailureKind.RateLimited, kind);
        Assert.True(retryAt > h.Time.GetUtcNow());
        Assert.True(CallFailures.Classify(create).RetryAt > retryAt, "a second throttle in a row waits longer");
        Assert.Contains("RequestLimitExceeded", h.Provider.Health().Details["reason"], StringComparison.Ordinal);
        Assert.Equal(1, h.Vault.Count);
        await h.Provider.ListAsync(CancellationToken.None);
    }

    [Fact]
    public async Task List_ManyInstances_ReadsEveryPage()
    {
        await using var h = await Ec2Harness.StartAsync(settings: ", listPageSize: 5");
        for (var i = 0; i < 12; i++)
        {
            await h.Provider.CreateAsync(h.Request($"r-{i}"), CancellationToken.None);
        }

        var listed = await h.Provider.ListAsync(CancellationToken.None);

        Assert.Equal(12, listed.Select(i => i.IdempotencyKey).Distinct().Count());
        Assert.All(listed, i => Assert.Equal(("aws", "linux", (string?)null), (i.Provider, i.Pool!, i.Failure)));
        Assert.Equal(3 + 12, h.Emulator.Calls("DescribeInstances"));
    }

    [Fact]
    public async Task List_OnlyThisControllersAndProvidersInstances()
    {
        await using var h = await Ec2Harness.StartAsync();
        await using var other = await Ec2Harness.StartAsync();
        await h.Provider.CreateAsync(h.Request("mine"), CancellationToken.None);

        Assert.Empty(await other.Provider.ListAsync(CancellationToken.None));
        Assert.Equal("mine", Assert.Single(await h.Provider.ListAsync(CancellationToken.None)).IdempotencyKey);
    }

    [Fact]
    public async Task JustLaunched_NotVisibleYet_IsListedAndItsDeleteRetriedUntilVisible()
    {
        await using var h = await Ec2Harness.StartAsync(configure: e => e.InvisibleFor = TimeSpan.FromMilliseconds(800));
        var id = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        var listed = await h.Provider.ListAsync(CancellationToken.None);
        var early = await Assert.ThrowsAsync<Ec2ApiException>(() => h.Provider.DeleteAsync(id, CancellationToken.None));

        Assert.Equal(("r-1", id), (Assert.Single(listed).IdempotencyKey!, listed[0].InstanceId));
        Assert.Equal(CallFailureKind.Transient, CallFailures.Classify(early).Kind);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await h.Provider.DeleteAsync(id, CancellationToken.None);
        Assert.Equal("terminated", h.Emulator.Find(id)!.State);
    }

    [Fact]
    public async Task JustLaunched_NeverListed_IsForgottenAfterTheGrace()
    {
        await using var h = await Ec2Harness.StartAsync(grace: TimeSpan.FromMinutes(2), configure: e => e.InvisibleFor = TimeSpan.FromHours(1));
        await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        h.Time.Advance(TimeSpan.FromMinutes(3));

        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Delete_TerminatesOnce_AgainAndUnknownSucceed_AndClosesTheToken()
    {
        await using var h = await Ec2Harness.StartAsync(configure: e => e.Boots = _ => false);
        var id = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);
        var token = InstanceBootstrapClient.Read(h.Emulator.Find(id)!.UserData)!.Value.Token;
        await h.Provider.ListAsync(CancellationToken.None);

        await h.Provider.DeleteAsync(id, CancellationToken.None);
        await h.Provider.DeleteAsync(id, CancellationToken.None);
        await h.Provider.DeleteAsync("i-0000000000000dead", CancellationToken.None);

        Assert.Equal(("terminated", "Client.UserInitiatedShutdown"), (h.Emulator.Find(id)!.State, h.Emulator.Find(id)!.StateReason!.Value.Code));
        Assert.Null(h.Bootstrap.TakeCredential(token));
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task List_RunnerExitedAndInstanceShutItselfDown_IsNotListed()
    {
        await using var h = await Ec2Harness.StartAsync(configure: e => e.Boots = _ => true);
        var id = await h.Provider.CreateAsync(h.Request("r-1"), CancellationToken.None);

        await Drover.Testing.Eventually.ThatAsync(() => h.Emulator.Find(id)!.State, s => s == "terminated", "the instance shut itself down", s => s, TimeSpan.FromSeconds(10));

        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task List_SpotInterruption_IsALostInstance_TwoOpenThePoolsBreaker_WhichClosesLater()
    {
        await using var h = await Ec2Harness.StartAsync(spot: "prefer", configure: e => e.Boots = _ => false);
        var a = await h.Provider.CreateAsync(h.Request("r-a"), CancellationToken.None);
        var b = await h.Provider.CreateAsync(h.Request("r-b"), CancellationToken.None);
        Assert.True(h.Emulator.Find(a)!.Spot);

        Assert.True(h.Emulator.Interrupt(a));
        var first = await h.Provider.ListAsync(CancellationToken.None);
        var lost = Assert.Single(first, i => i.InstanceId == a);
        Assert.Equal(InstanceFailureKind.Lost, lost.FailureKind);
        Assert.Contains("Server.SpotInstanceTermination", lost.Failure, StringComparison.Ordinal);
        await h.Provider.ListAsync(CancellationToken.None);
        Assert.False(h.Provider.Breaker.IsOpen("linux", h.Time.GetUtcNow()), "one interruption, counted once however often listed");

        Assert.True(h.Emulator.Interrupt(b));
        await h.Provider.ListAsync(CancellationToken.None);
        Assert.True(h.Provider.Breaker.IsOpen("linux", h.Time.GetUtcNow()));
        Assert.Contains("linux until", h.Provider.Health().Details["spotBreakersOpen"], StringComparison.Ordinal);
        var onDemand = await h.Provider.CreateAsync(h.Request("r-c"), CancellationToken.None);
        Assert.False(h.Emulator.Find(onDemand)!.Spot);

        h.Time.Advance(TimeSpan.FromMinutes(31));
        var spotAgain = await h.Provider.CreateAsync(h.Request("r-d"), CancellationToken.None);
        Assert.True(h.Emulator.Find(spotAgain)!.Spot);
    }

    [Fact]
    public async Task List_InterruptionsFurtherApartThanTheWindow_DoNotOpenTheBreaker()
    {
        await using var h = await Ec2Harness.StartAsync(spot: "prefer", configure: e => e.Boots = _ => false);
        var a = await h.Provider.CreateAsync(h.Request("r-a"), CancellationToken.None);
        var b = await h.Provider.CreateAsync(h.Request("r-b"), CancellationToken.None);

        h.Emulator.Interrupt(a);
        await h.Provider.ListAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(16));
        h.Emulator.Interrupt(b);
        await h.Provider.ListAsync(CancellationToken.None);

        Assert.False(h.Provider.Breaker.IsOpen("linux", h.Time.GetUtcNow()));
    }

    [Fact]
    public async Task Calls_WithNoAwsCredentialsAnywhere_AreRefusedForTheConfiguration_AndHealthIsDownSayingWhy()
    {
        Assert.Null(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
        await using var h = await Ec2Harness.StartAsync();
        var context = new AdapterContext(h.Fleet, h.Vault, h.Time, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

        // Built without credentials: Drover starts; the chain is resolved at the first call.
        using var provider = (Ec2Provider)Ec2ProviderFactory.Create(h.Fleet.Providers[0], context);
        var error = await Assert.ThrowsAsync<Ec2ApiException>(() => provider.ListAsync(CancellationToken.None));

        Assert.Equal(CallFailureKind.Configuration, CallFailures.Classify(error).Kind);
        Assert.Contains("no AWS credentials found", error.Message, StringComparison.Ordinal);
        Assert.Equal(ComponentStatus.Down, provider.Health().Status);
        Assert.Equal(0, h.Emulator.Calls("DescribeInstances"));
    }

    [Fact]
    public async Task Health_UncheckedUntilACall_ThenOk()
    {
        await using var h = await Ec2Harness.StartAsync();

        Assert.Equal(ComponentStatus.Degraded, h.Provider.Health().Status);
        await h.Provider.ListAsync(CancellationToken.None);
        Assert.Equal(ComponentStatus.Ok, h.Provider.Health().Status);
    }
}
