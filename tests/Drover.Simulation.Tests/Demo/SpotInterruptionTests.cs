using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Simulation.Demo;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Simulation.Tests.Demo;

/// <summary>The simulated world's spot interruption fault: an instance reclaimed under its job.</summary>
public sealed class SpotInterruptionTests
{
    [Fact]
    public async Task Interrupt_BusyInstance_ListedAsLost_JobFailed_ReRunQueuedOnceUnderANewId()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var fleet = DemoFleet.Load();
        var world = new DemoWorld(fleet, DemoOptions.Default with { JobsPerHour = 5000 }, time);
        var vault = new RunnerCredentialVault();
        world.Attach(vault);
        var forge = world.Forges.Single(f => f.Name == "github");
        var provider = world.Providers.Single();
        var pool = fleet.FindPool("linux")!;
        var credential = await forge.MintRunnerCredentialAsync("linux", "t-linux-0", CancellationToken.None);
        var instance = await provider.CreateAsync(new InstanceRequest("linux", "t-linux-0", pool.Template, vault.Put("t-linux-0", credential)), CancellationToken.None);

        JobKey? taken = null;
        for (var i = 0; i < 600 && taken is null; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            taken = world.Tick().FirstOrDefault(e => e.Kind == JobEventKind.Started && e.RunnerName == "t-linux-0")?.Key;
        }

        Assert.NotNull(taken);
        Assert.True(world.Interrupt(instance));
        var listed = Assert.Single(await provider.ListAsync(CancellationToken.None));
        Assert.Equal((instance, InstanceFailureKind.Lost), (listed.InstanceId, listed.FailureKind));
        Assert.Contains("spot interruption", listed.Failure, StringComparison.Ordinal);
        Assert.Contains(world.Tick(), e => e.Key == taken && e.Kind == JobEventKind.Completed);

        var lost = new JobRerun
        {
            Job = taken.Value, OriginJobId = taken.Value.Id, Attempt = 1, State = JobRerunState.Pending, Pool = "linux", RunnerId = "t-linux-0",
            Provider = provider.Name, Reason = listed.Failure!, LostAt = time.GetUtcNow(), UpdatedAt = time.GetUtcNow(),
        };
        var rerun = (IJobRerun)forge;
        var answer = await rerun.RerunJobAsync(lost, CancellationToken.None);
        var again = await rerun.RerunJobAsync(lost, CancellationToken.None);

        Assert.True(answer.Accepted);
        Assert.Equal(answer.NewJobId, again.NewJobId);
        Assert.Single(world.Tick(), e => e.Kind == JobEventKind.Queued && e.Key.Id == answer.NewJobId);
        await provider.DeleteAsync(instance, CancellationToken.None);
        Assert.Empty(await provider.ListAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(0, InstanceFailureKind.Unusable, null)]
    [InlineData(1_000_000, InstanceFailureKind.Lost, "spot interruption: the instance was reclaimed")]
    public async Task SpotInterruptionRate_ReclaimsBusyInstancesAtThatRate(double rate, InstanceFailureKind kind, string? failure)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var fleet = DemoFleet.Load();
        var world = new DemoWorld(fleet, DemoOptions.Default with { JobsPerHour = 5000, SpotInterruptionRate = rate }, time);
        var vault = new RunnerCredentialVault();
        world.Attach(vault);
        var forge = world.Forges.Single(f => f.Name == "github");
        var provider = world.Providers.Single();
        var credential = await forge.MintRunnerCredentialAsync("linux", "t-linux-0", CancellationToken.None);
        await provider.CreateAsync(new InstanceRequest("linux", "t-linux-0", fleet.FindPool("linux")!.Template, vault.Put("t-linux-0", credential)), CancellationToken.None);
        var started = false;
        for (var i = 0; i < 600 && !started; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            started = world.Tick().Any(e => e.Kind == JobEventKind.Started && e.RunnerName == "t-linux-0");
        }

        Assert.True(started);
        time.Advance(TimeSpan.FromSeconds(1));
        world.Tick();

        var listed = Assert.Single(await provider.ListAsync(CancellationToken.None));
        Assert.Equal((kind, failure), (listed.FailureKind, listed.Failure));
    }
}
