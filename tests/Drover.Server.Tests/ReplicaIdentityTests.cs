using Drover.Core.Adapters;
using Drover.Engine.Leadership;
using Drover.Server.Hosting;
using Drover.Storage;
using Drover.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Server.Tests;

/// <summary>
/// The default replica id is stable per data directory, a restarted replica takes its own lease back at once, and two
/// live processes never share one id on one data directory.
/// </summary>
public sealed class ReplicaIdentityTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-replica-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Acquire_Default_IsKeptInTheDataDirectoryAndTheSameAfterARestart()
    {
        string first;
        using (var identity = ReplicaIdentity.Acquire(_directory.Path, null, _ => null))
        {
            first = identity.Id;
        }

        using var again = ReplicaIdentity.Acquire(_directory.Path, null, _ => null);

        Assert.Equal(first, again.Id);
        Assert.Matches("^[A-Za-z0-9._-]+-[0-9a-f]{8}$", first);
        Assert.Equal(first, File.ReadAllText(Path.Combine(_directory.Path, ReplicaIdentity.IdFileName)).Trim());
    }

    [Fact]
    public void Acquire_GivenIdOrPodName_TakesPrecedence()
    {
        using (var pod = ReplicaIdentity.Acquire(_directory.Path, null, name => name == "POD_NAME" ? "drover-7f9c-abcde" : null))
        {
            Assert.Equal("drover-7f9c-abcde", pod.Id);
        }

        using var given = ReplicaIdentity.Acquire(_directory.Path, "replica-a", name => name == "POD_NAME" ? "drover-7f9c-abcde" : null);
        Assert.Equal("replica-a", given.Id);
    }

    [Fact]
    public void Acquire_SameIdTwiceOnOneDataDirectory_TheSecondIsRefusedSayingWhatToDo()
    {
        using var first = ReplicaIdentity.Acquire(_directory.Path, null, _ => null);

        var e = Assert.Throws<AdapterConfigurationException>(() => ReplicaIdentity.Acquire(_directory.Path, null, _ => null));

        Assert.Contains($"another drover serve runs as replica '{first.Id}' on the data directory {_directory.Path}", e.Message, StringComparison.Ordinal);
        Assert.Contains("--replica-id", e.Message, StringComparison.Ordinal);
        using var other = ReplicaIdentity.Acquire(_directory.Path, "other", _ => null);
        Assert.Equal("other", other.Id);
    }

    [Fact]
    public async Task Serve_TwoServersWithTheDefaultIdOnOneDataDirectory_TheSecondIsRefused()
    {
        var store = Path.Combine(_directory.Path, "state.db");
        await using var first = await ServerFixture.StartDemoAsync(store);

        var e = await Assert.ThrowsAsync<AdapterConfigurationException>(() => ServerFixture.StartDemoAsync(store));

        Assert.Contains("another drover serve runs as replica", e.Message, StringComparison.Ordinal);
        await first.StopAsync();
    }

    [Fact]
    public async Task Serve_RestartedAfterACrash_TakesItsOwnLeaseBackAtOnce()
    {
        var store = Path.Combine(_directory.Path, "state.db");
        string id;
        using (var identity = ReplicaIdentity.Acquire(_directory.Path, null, _ => null))
        {
            id = identity.Id;
        }

        // What a replica killed with -9 leaves: the lease row under its id, 15 s to run.
        await using (var crashed = await StateStoreFactory.OpenAsync("sqlite:" + store, CancellationToken.None))
        {
            Assert.True(await crashed.TryAcquireOrRenewLeaseAsync("controller", id, TimeSpan.FromSeconds(15), DateTimeOffset.UtcNow, CancellationToken.None));
        }

        var started = TimeProvider.System.GetTimestamp();
        await using var app = await ServerFixture.StartDemoAsync(store);
        var election = app.Services.GetRequiredService<LeaderElection>();
        await Eventually.TrueAsync(() => election.Role == LeaderRole.Leader, "the restarted replica leads", TimeSpan.FromSeconds(10));
        var took = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(id, election.Holder);
        Assert.True(took < TimeSpan.FromSeconds(5), $"took {took.TotalSeconds:F1} s to lead again");
        await app.StopAsync();
    }
}
