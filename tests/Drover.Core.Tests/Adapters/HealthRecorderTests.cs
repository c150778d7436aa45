using System.Net;
using Drover.Core.Adapters;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Adapters;

public sealed class HealthRecorderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Health_NothingRecorded_IsDegradedAndMarkedNeverChecked_NotOk()
    {
        var health = new HealthRecorder(_time).Health("forge", "gitlab");

        Assert.Equal(ComponentStatus.Degraded, health.Status);
        Assert.Equal("never", health.Details[HealthRecorder.CheckedKey]);
        Assert.True(HealthRecorder.IsUnchecked(health));
        Assert.Contains("not checked yet", health.Details[HealthRecorder.ReasonKey], StringComparison.Ordinal);
    }

    [Fact]
    public void Health_AfterASuccess_IsOk_WithItsTime()
    {
        var recorder = new HealthRecorder(_time);
        recorder.Succeeded();

        var health = recorder.Health("forge", "gitlab");

        Assert.Equal(ComponentStatus.Ok, health.Status);
        Assert.Equal(_time.GetUtcNow(), health.LastSuccess);
        Assert.Null(health.LastError);
        Assert.False(health.Details.ContainsKey(HealthRecorder.ReasonKey));
    }

    [Fact]
    public void Health_TransientFailures_DegradedThenDownAtTheThird_WithErrorTextAndTime()
    {
        var recorder = new HealthRecorder(_time);
        recorder.Succeeded();
        var refused = new HttpRequestException("Connection refused (127.0.0.1:9)");

        recorder.Failed(refused);
        Assert.Equal(ComponentStatus.Degraded, recorder.Health("forge", "gitlab").Status);
        recorder.Failed(refused);
        Assert.Equal(ComponentStatus.Degraded, recorder.Health("forge", "gitlab").Status);
        _time.Advance(TimeSpan.FromSeconds(5));
        recorder.Failed(refused);
        var health = recorder.Health("forge", "gitlab");

        Assert.Equal(ComponentStatus.Down, health.Status);
        Assert.Equal("HttpRequestException: Connection refused (127.0.0.1:9)", health.LastError);
        Assert.Equal(_time.GetUtcNow(), health.LastErrorAt);
        Assert.Contains("the last 3 calls failed", health.Details[HealthRecorder.ReasonKey], StringComparison.Ordinal);
    }

    [Fact]
    public void Health_CredentialRefused_IsDownAtOnce()
    {
        var recorder = new HealthRecorder(_time);
        recorder.Failed(new HttpRequestException("401 Unauthorized", null, HttpStatusCode.Unauthorized));

        var health = recorder.Health("forge", "github");

        Assert.Equal(ComponentStatus.Down, health.Status);
        Assert.Contains("configuration or credential", health.Details[HealthRecorder.ReasonKey], StringComparison.Ordinal);
    }

    [Fact]
    public void Health_RateLimited_IsDegradedUntilTheRecentWindowPasses()
    {
        var recorder = new HealthRecorder(_time);
        recorder.Succeeded();
        recorder.RateLimited(_time.GetUtcNow().AddSeconds(30), "429 Retry later");
        Assert.Equal(ComponentStatus.Degraded, recorder.Health("forge", "gitlab").Status);
        Assert.StartsWith("rate limited until", recorder.Health("forge", "gitlab").Details[HealthRecorder.ReasonKey], StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromMinutes(1));
        recorder.Succeeded();
        var recovering = recorder.Health("forge", "gitlab");
        Assert.Equal(ComponentStatus.Degraded, recovering.Status);
        Assert.Equal("429 Retry later", recovering.LastError);

        _time.Advance(HealthRecorder.RecentWindow);
        recorder.Succeeded();
        var healed = recorder.Health("forge", "gitlab");
        Assert.Equal(ComponentStatus.Ok, healed.Status);
        Assert.Null(healed.LastError);
    }

    [Fact]
    public void Health_NotFoundAndBusyAnswers_CountAsSuccesses()
    {
        var recorder = new HealthRecorder(_time);
        recorder.Failed("DELETE /runners/7: 404", CallFailureKind.NotFound);
        recorder.Failed("DELETE /runners/8: busy", CallFailureKind.Busy);

        Assert.Equal(ComponentStatus.Ok, recorder.Health("forge", "gitlab").Status);
    }

    [Fact]
    public void Health_CallerCancellation_IsNotAnOutcome()
    {
        var recorder = new HealthRecorder(_time);
        recorder.Failed(new OperationCanceledException());

        Assert.True(HealthRecorder.IsUnchecked(recorder.Health("forge", "gitlab")));
    }

    [Fact]
    public void Health_NoCallForLongerThanTheStaleLimit_IsDegraded()
    {
        var recorder = new HealthRecorder(_time, TimeSpan.FromMinutes(2));
        recorder.Succeeded();
        _time.Advance(TimeSpan.FromMinutes(3));

        var health = recorder.Health("provider", "local");

        Assert.Equal(ComponentStatus.Degraded, health.Status);
        Assert.StartsWith("not checked for", health.Details[HealthRecorder.ReasonKey], StringComparison.Ordinal);
    }

    [Fact]
    public void AtLeast_OnlyEverMakesItWorse()
    {
        var ok = new ComponentHealth("forge", "gitlab", ComponentStatus.Ok);
        var down = new ComponentHealth("forge", "gitlab", ComponentStatus.Down);

        Assert.Equal(ComponentStatus.Degraded, HealthRecorder.AtLeast(ok, ComponentStatus.Degraded, "low budget").Status);
        Assert.Equal("low budget", HealthRecorder.AtLeast(ok, ComponentStatus.Degraded, "low budget").Details[HealthRecorder.ReasonKey]);
        Assert.Same(down, HealthRecorder.AtLeast(down, ComponentStatus.Degraded, "low budget"));
    }
}
