using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Resilience;
using Drover.Engine.Execution;
using Drover.Engine.Health;
using Drover.Engine.Loop;
using Drover.Engine.Tests.Fakes;

namespace Drover.Engine.Tests;

/// <summary>Provider and forge health as the engine derives it: from its calls, the adapters' own reports and the breakers.</summary>
public sealed class AdapterHealthTests
{
    [Fact]
    public async Task Read_NeverCalled_IsDegradedNotChecked_AndHasNoUpSample()
    {
        await using var h = await LoopHarness.CreateAsync();
        var services = Services(h, new FakeProvider("quiet", h.Time));

        var health = Assert.Single(AdapterHealth.Read(services, Snapshot(h), "not checked by this replica"));

        Assert.Equal(ComponentStatus.Degraded, health.Status);
        Assert.True(HealthRecorder.IsUnchecked(health));
        Assert.Equal("not checked by this replica", health.Details[HealthRecorder.ReasonKey]);
        h.Metrics.AttachHealth(() => [health]);
        Assert.DoesNotContain("drover_component_up", Scrape(h), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_AfterCallsThroughThePolicy_OkThenDownAfterThreeFailures()
    {
        await using var h = await LoopHarness.CreateAsync();
        var provider = new FlakyProvider("flaky");
        var services = Services(h, provider);

        await services.Calls.RunAsync("provider flaky", provider.ListAsync, CancellationToken.None);
        Assert.Equal(ComponentStatus.Ok, AdapterHealth.Read(services, Snapshot(h)).Single().Status);

        provider.Failing = true;
        for (var i = 0; i < HealthRecorder.DownAfterFailures; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => services.Calls.RunAsync("provider flaky", provider.ListAsync, CancellationToken.None));
        }

        var health = AdapterHealth.Read(services, Snapshot(h)).Single();
        Assert.Equal(ComponentStatus.Down, health.Status);
        Assert.Equal("HttpRequestException: Connection refused (api.flaky:443)", health.LastError);
        Assert.Equal("closed", health.Details["breaker"]);
        h.Metrics.AttachHealth(() => [health]);
        Assert.Contains("drover_component_up{kind=\"provider\",name=\"flaky\"} 0", Scrape(h), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_AnAdapterThatSaysOkWithoutASuccess_IsNotOk()
    {
        await using var h = await LoopHarness.CreateAsync();
        var services = Services(h, new BoastingProvider());

        var health = AdapterHealth.Read(services, Snapshot(h)).Single();

        Assert.Equal(ComponentStatus.Degraded, health.Status);
        Assert.Equal("reported ok without a recorded success", health.Details[HealthRecorder.ReasonKey]);
    }

    [Fact]
    public async Task Read_OpenBreaker_MakesAWorkingProviderDown()
    {
        await using var h = await LoopHarness.CreateAsync();
        var provider = new FlakyProvider("flaky");
        var services = Services(h, provider);
        await services.Calls.RunAsync("provider flaky", provider.ListAsync, CancellationToken.None);
        var snapshot = Snapshot(h) with
        {
            Breakers = new Dictionary<string, CircuitBreakerState> { ["flaky"] = new() { Status = BreakerStatus.Open, ConsecutiveFailures = 5, OpenedAt = h.Time.GetUtcNow() } },
        };

        var health = AdapterHealth.Read(services, snapshot).Single();

        Assert.Equal(ComponentStatus.Down, health.Status);
        Assert.Equal("open", health.Details["breaker"]);
        Assert.StartsWith("circuit breaker open", health.Details[HealthRecorder.ReasonKey], StringComparison.Ordinal);
    }

    private static LoopSnapshot Snapshot(LoopHarness h) => new() { Config = h.Config, At = h.Time.GetUtcNow() };

    private static ExecutionServices Services(LoopHarness h, IProvider provider) => new()
    {
        Store = h.Store,
        Adapters = new EngineAdapters([provider], []),
        Vault = new RunnerCredentialVault(),
        Calls = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0 }, h.Time, new Random(1)),
        Time = h.Time,
        Logger = h.Logger,
        Metrics = h.Metrics,
    };

    private static string Scrape(LoopHarness h)
    {
        var values = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "drover_component_up")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
            values.Add($"drover_component_up{{{string.Join(',', tags.ToArray().Select(t => $"{t.Key}=\"{t.Value}\""))}}} {value}"));
        listener.Start();
        listener.RecordObservableInstruments();
        return string.Join('\n', values);
    }

    private sealed class FlakyProvider(string name) : IProvider
    {
        public bool Failing { get; set; }

        public string Name => name;

        public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) =>
            Failing ? throw new HttpRequestException("Connection refused (api.flaky:443)") : Task.FromResult<IReadOnlyList<ProviderInstance>>([]);
    }

    private sealed class BoastingProvider : IProvider, IHealthReporting
    {
        public string Name => "boasting";

        public ComponentHealth Health() => new("provider", Name, ComponentStatus.Ok);

        public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string instanceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ProviderInstance>>([]);
    }
}
