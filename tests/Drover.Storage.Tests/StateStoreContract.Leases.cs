using Drover.Core.Ports;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>Contract cases for the leader lease.</summary>
public abstract partial class StateStoreContract
{
    private static readonly TimeSpan _ttl = TimeSpan.FromSeconds(15);

    [StoreFact]
    public async Task Lease_AcquireRenewRefuseTakeOverRelease_FollowsExpiry()
    {
        var store = await OpenAsync();

        Assert.True(await store.TryAcquireOrRenewLeaseAsync("leader", "a", _ttl, T0, _none));
        Assert.Equal(new LeaderLease("leader", "a", T0, T0 + _ttl), await store.GetLeaseAsync("leader", _none));

        Assert.True(await store.TryAcquireOrRenewLeaseAsync("leader", "a", _ttl, T0.AddSeconds(10), _none));
        Assert.Equal(new LeaderLease("leader", "a", T0, T0.AddSeconds(25)), await store.GetLeaseAsync("leader", _none));

        Assert.False(await store.TryAcquireOrRenewLeaseAsync("leader", "b", _ttl, T0.AddSeconds(24), _none));
        Assert.Equal("a", (await store.GetLeaseAsync("leader", _none))!.Holder);
        Assert.True(await store.TryAcquireOrRenewLeaseAsync("other", "b", _ttl, T0.AddSeconds(24), _none));

        Assert.True(await store.TryAcquireOrRenewLeaseAsync("leader", "b", _ttl, T0.AddSeconds(25), _none));
        Assert.Equal(new LeaderLease("leader", "b", T0.AddSeconds(25), T0.AddSeconds(40)), await store.GetLeaseAsync("leader", _none));
        Assert.False(await store.TryAcquireOrRenewLeaseAsync("leader", "a", _ttl, T0.AddSeconds(26), _none));

        Assert.False(await store.ReleaseLeaseAsync("leader", "a", _none));
        Assert.True(await store.ReleaseLeaseAsync("leader", "b", _none));
        Assert.Null(await store.GetLeaseAsync("leader", _none));
        Assert.True(await store.TryAcquireOrRenewLeaseAsync("leader", "a", _ttl, T0.AddSeconds(27), _none));
    }

    [StoreFact]
    public async Task Lease_TwoStoresRacing_ExactlyOneWins()
    {
        var left = await OpenAsync();
        var right = await OpenAsync();
        for (var round = 0; round < 5; round++)
        {
            var name = $"race-{round}";
            var now = T0.AddMinutes(round);
            var contenders = Enumerable.Range(0, 8)
                .Select(i => (Holder: $"replica-{i}", Store: i % 2 == 0 ? left : right))
                .Select(c => Task.Run(async () => (c.Holder, Won: await c.Store.TryAcquireOrRenewLeaseAsync(name, c.Holder, _ttl, now, _none))))
                .ToArray();

            var results = await Task.WhenAll(contenders);

            var winner = Assert.Single(results, r => r.Won);
            Assert.Equal(winner.Holder, (await right.GetLeaseAsync(name, _none))!.Holder);
        }
    }
}
