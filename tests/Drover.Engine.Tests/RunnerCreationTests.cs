using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.Testing;

namespace Drover.Engine.Tests;

/// <summary>A create's calls while their target is rate limited.</summary>
public sealed class RunnerCreationTests
{
    [Fact]
    public async Task Create_ForgeRateLimitedForASecond_WaitsItOutAndMintsInsteadOfFailingTheRunnerUnsent()
    {
        await using var h = await LoopHarness.CreateAsync();
        var services = Services(h);
        // Another call met a 429 with Retry-After: 1 a moment ago: calls to the forge are held back for a second.
        var resume = h.Time.GetUtcNow().AddSeconds(1);
        await Assert.ThrowsAsync<RateLimited>(() => services.Calls.RunAsync("forge github", _ => throw new RateLimited(resume), CancellationToken.None));

        var creating = new RunnerCreation(services).CreateAsync(Create(), h.Config.FindPool("linux")!, NoBreakers(), "engine", CancellationToken.None);
        await Eventually.TrueAsync(
            () =>
            {
                h.Time.Advance(TimeSpan.FromMilliseconds(100));
                return creating.IsCompleted;
            },
            "the create finished",
            TimeSpan.FromSeconds(10));
        await creating;

        Assert.Equal(["t-linux-1"], h.Forge.Minted);
        Assert.True(h.Time.GetUtcNow() >= resume);
        Assert.Equal(RunnerState.Provisioning, (await h.Store.GetRunnerAsync("t-linux-1", CancellationToken.None))!.State);
        Assert.Equal(0, await CountAsync(h, EventKinds.ForgeCredentialFailed));
    }

    [Fact]
    public async Task Create_ProviderRateLimitedForASecond_WaitsItOutAndCreatesTheInstance()
    {
        await using var h = await LoopHarness.CreateAsync();
        var services = Services(h);
        var resume = h.Time.GetUtcNow().AddSeconds(1);
        await Assert.ThrowsAsync<RateLimited>(() => services.Calls.RunAsync("provider fake", _ => throw new RateLimited(resume), CancellationToken.None));

        var creating = new RunnerCreation(services).CreateAsync(Create(), h.Config.FindPool("linux")!, NoBreakers(), "engine", CancellationToken.None);
        await Eventually.TrueAsync(
            () =>
            {
                h.Time.Advance(TimeSpan.FromMilliseconds(100));
                return creating.IsCompleted;
            },
            "the create finished",
            TimeSpan.FromSeconds(10));
        await creating;

        Assert.Single(h.Provider.Instances);
        Assert.Equal(RunnerState.Provisioning, (await h.Store.GetRunnerAsync("t-linux-1", CancellationToken.None))!.State);
        Assert.Equal(0, await CountAsync(h, EventKinds.ProviderCreateFailed));
    }

    [Fact]
    public async Task Create_ForgeRateLimitedForMinutes_WithdrawsTheIntentAtOnceWithoutCallingOut()
    {
        await using var h = await LoopHarness.CreateAsync();
        var services = Services(h);
        var resume = h.Time.GetUtcNow().AddMinutes(5);
        await Assert.ThrowsAsync<RateLimited>(() => services.Calls.RunAsync("forge github", _ => throw new RateLimited(resume), CancellationToken.None));

        var heldUntil = await new RunnerCreation(services).CreateAsync(Create(), h.Config.FindPool("linux")!, NoBreakers(), "engine", CancellationToken.None);

        Assert.Equal(resume, heldUntil);
        Assert.Empty(h.Forge.Minted);
        var runner = (await h.Store.GetRunnerAsync("t-linux-1", CancellationToken.None))!;
        Assert.Equal(RunnerState.Gone, runner.State);
        Assert.Equal(1, await CountAsync(h, EventKinds.ProviderCreateWithheld));
        Assert.Equal(0, await CountAsync(h, EventKinds.ForgeCredentialFailed));
    }

    private static CreateRunner Create() => new("linux", "fake", "t-linux-1", 1, 0, "test");

    private static PlanBreakers NoBreakers() => new(new Dictionary<string, CircuitBreakerState>());

    private static ExecutionServices Services(LoopHarness h) => new()
    {
        Store = h.Store,
        Adapters = new EngineAdapters([h.Provider], [h.Forge]),
        Vault = new RunnerCredentialVault(),
        Calls = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0 }, h.Time, new Random(1)),
        Time = h.Time,
        Logger = h.Logger,
        Metrics = h.Metrics,
    };

    private static async Task<int> CountAsync(LoopHarness h, string kind) =>
        (await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None)).Count(e => e.Kind == kind);

    /// <summary>A 429 whose Retry-After says when calls may resume.</summary>
    private sealed class RateLimited(DateTimeOffset until) : Exception("429 Too Many Requests"), IClassifiedFailure
    {
        public CallFailureKind FailureKind => CallFailureKind.RateLimited;

        public DateTimeOffset? RetryAt => until;
    }
}
