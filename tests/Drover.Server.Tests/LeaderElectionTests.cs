using Drover.Core.Ports;
using Drover.Engine.Leadership;
using Drover.Server.Tests.Support;
using Drover.Storage;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Server.Tests;

/// <summary>Two elections on one store file, on the real clock with a short lease; each test stops by itself.</summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private static readonly LeaderElectionOptions _fast = new() { LeaseDuration = TimeSpan.FromMilliseconds(1500), RetryInterval = TimeSpan.FromMilliseconds(300) };
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan _poll = TimeSpan.FromMilliseconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-lease-").FullName;
    private readonly LeaderWork _work = new();
    private IStateStore _storeA = null!;
    private IStateStore _storeB = null!;

    public async Task InitializeAsync()
    {
        _storeA = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(_directory, "state.db"), CancellationToken.None);
        _storeB = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(_directory, "state.db"), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _storeA.DisposeAsync();
        await _storeB.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task GracefulStop_ReleasesTheLease_TheOtherLeadsAtItsNextAttempt()
    {
        var a = Election(_storeA, "a");
        var b = Election(_storeB, "b");
        using var stopA = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stopB = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var runA = a.RunAsync(_work.RunAsync, _ => Task.CompletedTask, stopA.Token);
        await Eventually.ThatAsync(() => a.Role, r => r == LeaderRole.Leader, "a leads", timeout: _wait, every: _poll);
        var runB = b.RunAsync(_work.RunAsync, _ => Task.CompletedTask, stopB.Token);
        await Eventually.ThatAsync(() => b.Role, r => r == LeaderRole.Follower, "b follows", timeout: _wait, every: _poll);
        Assert.Equal("a", b.Leader);

        await stopA.CancelAsync();
        await runA;
        var stoppedAt = DateTime.UtcNow;
        await Eventually.ThatAsync(() => b.Role, r => r == LeaderRole.Leader, "b leads", timeout: _wait, every: _poll);
        var takeover = DateTime.UtcNow - stoppedAt;

        Assert.True(takeover < _fast.RetryInterval * 3, $"took over after {takeover.TotalMilliseconds} ms");
        Assert.Equal(1, _work.MaxConcurrent);
        Assert.Equal(2, _work.Terms);
        await stopB.CancelAsync();
        await runB;
        Assert.Null(await _storeB.GetLeaseAsync("controller", CancellationToken.None));
    }

    [Fact]
    public async Task LeaderCutOffFromTheStore_StepsDownBeforeItsLeaseEnds_TheOtherTakesOverAfterIt()
    {
        var severable = new SeveringStore(_storeA);
        var a = Election(severable, "a");
        var b = Election(_storeB, "b");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var runA = a.RunAsync(_work.RunAsync, _ => Task.CompletedTask, stop.Token);
        await Eventually.ThatAsync(() => a.Role, r => r == LeaderRole.Leader, "a leads", timeout: _wait, every: _poll);
        var runB = b.RunAsync(_work.RunAsync, _ => Task.CompletedTask, stop.Token);
        await Eventually.ThatAsync(() => b.Role, r => r == LeaderRole.Follower, "b follows", timeout: _wait, every: _poll);

        var lease = await _storeB.GetLeaseAsync("controller", CancellationToken.None);
        severable.Sever();
        var severedAt = DateTime.UtcNow;
        await Eventually.ThatAsync(() => b.Role, r => r == LeaderRole.Leader, "b leads", timeout: _wait, every: _poll);
        var takeover = DateTime.UtcNow - severedAt;

        Assert.NotEqual(LeaderRole.Leader, a.Role);
        Assert.Equal(1, _work.MaxConcurrent);
        Assert.True(takeover <= _fast.LeaseDuration + (_fast.RetryInterval * 3), $"took over after {takeover.TotalMilliseconds} ms");
        var taken = await _storeB.GetLeaseAsync("controller", CancellationToken.None);
        Assert.Equal("b", taken!.Holder);
        Assert.True(taken.AcquiredAt >= lease!.ExpiresAt.AddSeconds(-_fast.LeaseDuration.TotalSeconds), "b took the lease from a's last renewal on");
        await stop.CancelAsync();
        await Task.WhenAll(runA, runB);
    }

    [Fact]
    public async Task LeaseTakenByAnother_LeaderWorkIsCancelled()
    {
        var a = Election(_storeA, "a");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var runA = a.RunAsync(_work.RunAsync, _ => Task.CompletedTask, stop.Token);
        await Eventually.ThatAsync(() => a.Role, r => r == LeaderRole.Leader, "a leads", timeout: _wait, every: _poll);

        // Another holder takes the row (as after a long pause of a's process): a's next renewal is refused.
        await _storeB.ReleaseLeaseAsync("controller", "a", CancellationToken.None);
        Assert.True(await _storeB.TryAcquireOrRenewLeaseAsync("controller", "intruder", TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow, CancellationToken.None));
        await Eventually.ThatAsync(() => a.Role, r => r == LeaderRole.Follower, "a follows", timeout: _wait, every: _poll);

        Assert.Equal(0, _work.Active);
        Assert.Equal("intruder", a.Leader);
        await stop.CancelAsync();
        await runA;
    }

    private static LeaderElection Election(IStateStore store, string holder) =>
        new(store, holder, TimeProvider.System, NullLogger.Instance, _fast);

    /// <summary>Leader work that runs until its term ends, counting terms and how many ran at once.</summary>
    private sealed class LeaderWork
    {
        private int _active;
        private int _max;
        private int _terms;

        public int Active => Volatile.Read(ref _active);

        public int MaxConcurrent => Volatile.Read(ref _max);

        public int Terms => Volatile.Read(ref _terms);

        public async Task RunAsync(CancellationToken term)
        {
            Interlocked.Increment(ref _terms);
            var now = Interlocked.Increment(ref _active);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(Timeout.Infinite, term);
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }
    }
}
