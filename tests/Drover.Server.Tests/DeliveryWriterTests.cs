using System.Text;
using Drover.Benchmarks;
using Drover.Core.Ports;
using Drover.Server.Hosting;
using Drover.Storage;

namespace Drover.Server.Tests;

public sealed class DeliveryWriterTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-writer-").FullName;
    private IStateStore _store = null!;

    public async Task InitializeAsync() => _store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(_directory, "state.db"), CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ConcurrentDeliveries_AllStored_DuplicatesAnsweredFalseOnce()
    {
        await using var writer = new DeliveryWriter(_store);

        // 600 distinct ids, each sent twice at the same time: the batches hold both copies of some ids.
        var results = await Task.WhenAll(Enumerable.Range(0, 1200).Select(i => Task.Run(() => writer.StoreAsync(Delivery($"d-{i % 600}"), CancellationToken.None))));

        Assert.Equal(600, results.Count(r => r));
        Assert.Equal(600, results.Count(r => !r));
        for (var i = 0; i < 600; i++)
        {
            Assert.NotNull(await _store.GetDeliveryAsync("github", $"d-{i}", CancellationToken.None));
        }
    }

    [Fact]
    public async Task StoreFailure_FailsTheWaitingRequests_LaterOnesStillStored()
    {
        var severable = new Support.SeveringStore(_store);
        await using var writer = new DeliveryWriter(severable);
        severable.Sever();

        await Assert.ThrowsAsync<StateStoreException>(() => writer.StoreAsync(Delivery("lost"), CancellationToken.None));
        Assert.Null(await _store.GetDeliveryAsync("github", "lost", CancellationToken.None));
    }

    [Fact]
    public async Task IngestLoadGenerator_Smoke_EveryAcceptedDeliveryIsStored()
    {
        var result = await IngestLoad.RunAsync(new IngestOptions { Duration = TimeSpan.FromSeconds(2), Concurrency = 4, MaxRequests = 400 }, CancellationToken.None);

        Assert.True(result.Requests > 0);
        Assert.Equal(result.Requests, result.Accepted);
        Assert.Equal(result.Accepted, result.Stored);
    }

    private static WebhookDelivery Delivery(string id) => new()
    {
        Forge = "github",
        DeliveryId = id,
        ReceivedAt = DateTimeOffset.UnixEpoch,
        HeadersJson = "{}",
        Body = Encoding.UTF8.GetBytes("{\"id\":\"" + id + "\"}"),
    };
}
