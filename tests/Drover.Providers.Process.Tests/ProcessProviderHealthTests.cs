using Drover.Core.Adapters;
using Drover.Providers.Process.Tests.Support;

namespace Drover.Providers.Process.Tests;

/// <summary>The process provider's own health report: from the runners it started or could not start.</summary>
public sealed class ProcessProviderHealthTests
{
    private const string Secret = "jit-SECRET-health-77";

    [Fact]
    public async Task Health_BeforeAnyCall_IsNotOk_AfterAList_IsOk()
    {
        await using var h = new ProviderHarness(new Dictionary<string, string> { ["command"] = "/bin/sleep 30" });
        Assert.True(HealthRecorder.IsUnchecked(h.Provider.Health()));
        Assert.NotEqual(ComponentStatus.Ok, h.Provider.Health().Status);

        await h.Provider.ListAsync(CancellationToken.None);

        Assert.Equal(ComponentStatus.Ok, h.Provider.Health().Status);
        Assert.Equal("local", h.Provider.Health().Name);
    }

    [Fact]
    public async Task Health_RunnersThatCannotStart_DegradedThenDown_ListsDoNotHideIt_ThenAStartHeals()
    {
        await using var broken = new ProviderHarness(new Dictionary<string, string> { ["command"] = "/nonexistent/drover-runner" });

        await Assert.ThrowsAnyAsync<Exception>(() => broken.CreateAsync("h-1", Secret));
        await broken.Provider.ListAsync(CancellationToken.None);
        Assert.Equal(ComponentStatus.Degraded, broken.Provider.Health().Status);
        await Assert.ThrowsAnyAsync<Exception>(() => broken.CreateAsync("h-2", Secret));
        await broken.Provider.ListAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<Exception>(() => broken.CreateAsync("h-3", Secret));

        var health = broken.Provider.Health();
        Assert.Equal(ComponentStatus.Down, health.Status);
        Assert.Contains("/nonexistent/drover-runner", health.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, health.LastError, StringComparison.Ordinal);

        await using var working = new ProviderHarness(new Dictionary<string, string> { ["command"] = "/bin/sleep 30" });
        await working.CreateAsync("h-4", Secret);
        Assert.Equal(ComponentStatus.Ok, working.Provider.Health().Status);
        Assert.Equal("1", working.Provider.Health().Details["running"]);
    }

    [Fact]
    public async Task Health_HoursWithoutACreate_StaysOkWhileItIsListed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = new ProviderHarness(new Dictionary<string, string> { ["command"] = "/bin/sleep 30" }, time);
        await h.CreateAsync("h-5", Secret);

        time.Advance(TimeSpan.FromHours(3));
        await h.Provider.ListAsync(CancellationToken.None);

        Assert.Equal(ComponentStatus.Ok, h.Provider.Health().Status);
    }
}
