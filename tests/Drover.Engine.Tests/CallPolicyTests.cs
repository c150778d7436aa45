using System.Net;
using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Engine.Execution;
using Microsoft.Extensions.Time.Testing;
using Polly.Timeout;

namespace Drover.Engine.Tests;

public sealed class CallPolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunAsync_AttemptTimesOut_TheCallSeesItsTokenCancelled()
    {
        var policy = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0, AttemptTimeout = TimeSpan.FromMilliseconds(50) }, TimeProvider.System, new Random(1));
        var cancelled = false;

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => policy.RunAsync(
            "provider p",
            async ct =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), TimeProvider.System, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                    throw;
                }
            },
            CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(cancelled);
    }

    [Theory]
    [InlineData(CallFailureKind.Configuration)]
    [InlineData(CallFailureKind.Busy)]
    [InlineData(CallFailureKind.NotFound)]
    [InlineData(CallFailureKind.RateLimited)]
    public async Task RunAsync_FailureThatIsNotTransient_IsNotRetried(CallFailureKind kind)
    {
        var policy = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 2, RetryDelay = TimeSpan.Zero }, TimeProvider.System, new Random(1));
        var calls = 0;

        await Assert.ThrowsAsync<Classified>(() => policy.RunAsync("forge f", _ =>
        {
            calls++;
            throw new Classified(kind, null);
        }, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RunAsync_TransientFailure_IsRetried()
    {
        var policy = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 2, RetryDelay = TimeSpan.Zero }, TimeProvider.System, new Random(1));
        var calls = 0;

        await Assert.ThrowsAsync<HttpRequestException>(() => policy.RunAsync("provider p", _ =>
        {
            calls++;
            throw new HttpRequestException("connection refused");
        }, CancellationToken.None));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task RunAsync_RateLimited_LaterCallsAreHeldBackUntilRetryAtWithoutCallingOut()
    {
        var policy = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 2, RetryDelay = TimeSpan.Zero }, _time, new Random(1));
        var resume = _time.GetUtcNow().AddMinutes(5);
        var calls = 0;
        await Assert.ThrowsAsync<Classified>(() => policy.RunAsync("forge f", _ =>
        {
            calls++;
            throw new Classified(CallFailureKind.RateLimited, resume);
        }, CancellationToken.None));

        _time.Advance(TimeSpan.FromMinutes(4));
        var held = await Assert.ThrowsAsync<CallHeldBackException>(() => policy.RunAsync("forge f", _ =>
        {
            calls++;
            return Task.CompletedTask;
        }, CancellationToken.None));
        Assert.Equal(resume, held.Until);
        Assert.Equal(1, calls);
        Assert.Equal(CallFailureKind.RateLimited, CallFailures.Classify(held).Kind);
        await policy.RunAsync("forge other", _ => Task.CompletedTask, CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(1));
        await policy.RunAsync("forge f", _ =>
        {
            calls++;
            return Task.CompletedTask;
        }, CancellationToken.None);
        Assert.Equal(2, calls);
        Assert.Null(policy.RateLimitedUntil("forge f"));
    }

    [Fact]
    public async Task RunAsync_RateLimitedWithoutRetryAt_WaitsTheConfiguredTime()
    {
        var policy = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0, RateLimitWait = TimeSpan.FromSeconds(90) }, _time, new Random(1));
        await Assert.ThrowsAsync<HttpRequestException>(() => policy.RunAsync(
            "forge f", _ => throw new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests), CancellationToken.None));

        Assert.Equal(_time.GetUtcNow().AddSeconds(90), policy.RateLimitedUntil("forge f"));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, CallFailureKind.RateLimited)]
    [InlineData(HttpStatusCode.NotFound, CallFailureKind.NotFound)]
    [InlineData(HttpStatusCode.Unauthorized, CallFailureKind.Configuration)]
    [InlineData(HttpStatusCode.UnprocessableEntity, CallFailureKind.Configuration)]
    [InlineData(HttpStatusCode.ServiceUnavailable, CallFailureKind.Transient)]
    [InlineData(HttpStatusCode.Conflict, CallFailureKind.Transient)]
    public void Classify_HttpStatus_IsTheDocumentedKind(HttpStatusCode status, CallFailureKind kind) =>
        Assert.Equal(kind, CallFailures.Classify(new InvalidOperationException("wrapped", new HttpRequestException("x", null, status))).Kind);

    [Fact]
    public void Classify_ConfigurationException_IsConfiguration() =>
        Assert.Equal(CallFailureKind.Configuration, CallFailures.Classify(new AdapterConfigurationException("kubeconfig missing")).Kind);

    [Fact]
    public async Task Create_ConfigurationError_FailsTheRunnerWithoutCountingAgainstTheBreaker()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Provider.BeforeCreate = _ => throw new AdapterConfigurationException("template: image pull secret 'x' does not exist");
        for (var i = 0; i < 7; i++)
        {
            h.Queue();
        }

        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(7, h.Provider.CreateCalls);
        var state = await h.Store.LoadPlanningStateAsync(DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal(BreakerStatus.Closed, state.Observed.Breakers.GetValueOrDefault("fake")?.Status ?? BreakerStatus.Closed);
        var events = await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Equal(7, events.Count(e => e.Kind == "provider.create.failed"));
        Assert.DoesNotContain(events, e => e.Kind == "provider.create.withheld");
    }

    [Fact]
    public async Task Delete_ProviderSaysNotFound_TheRunnerIsGone()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListLiveRunnersAsync(null, CancellationToken.None));
        h.Provider.BeforeDelete = _ => throw new HttpRequestException("instance not found", null, HttpStatusCode.NotFound);

        var deletion = new RunnerDeletion(new ExecutionServices
        {
            Store = h.Store,
            Adapters = new EngineAdapters([h.Provider], [h.Forge]),
            Vault = new RunnerCredentialVault(),
            Calls = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0 }, h.Time, new Random(1)),
            Time = h.Time,
            Logger = h.Logger,
            Metrics = h.Metrics,
        });

        await deletion.DeleteAsync(new DeleteRunner(runner.Id, "linux", DeleteCause.ScaleDown, "test"), "github", "test", CancellationToken.None);

        Assert.Equal(Core.Runners.RunnerState.Gone, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
    }

    private sealed class Classified(CallFailureKind kind, DateTimeOffset? retryAt) : Exception($"classified {kind}"), IClassifiedFailure
    {
        public CallFailureKind FailureKind => kind;

        public DateTimeOffset? RetryAt => retryAt;
    }
}
