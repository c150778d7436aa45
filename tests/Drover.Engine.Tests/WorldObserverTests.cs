using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Testing;

namespace Drover.Engine.Tests;

/// <summary>Forge lists: reused while young, refreshed in the background while stale, fetched in the cycle when old.</summary>
public sealed class WorldObserverTests
{
    [Fact]
    public async Task StaleLists_AreUsedWhileAFreshOneIsFetchedInTheBackground()
    {
        await using var h = await LoopHarness.CreateAsync();
        var forge = new GatedForge();
        var refreshed = 0;
        var observer = new WorldObserver(Services(h, forge), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), () => Interlocked.Increment(ref refreshed));

        // No lists yet: the first call waits for them.
        forge.Open();
        var first = await observer.ListForgeRunnersAsync(h.Time.GetUtcNow(), CancellationToken.None);
        Assert.Equal(["r-1"], first.Lists["gated"].Select(r => r.Name));

        // Young: reused, no call.
        h.Time.Advance(TimeSpan.FromMilliseconds(500));
        await observer.ListForgeRunnersAsync(h.Time.GetUtcNow(), CancellationToken.None);
        Assert.Equal(1, forge.Calls);

        // Stale: the old lists at once, while the forge's answer is still held back.
        forge.Close();
        h.Time.Advance(TimeSpan.FromSeconds(2));
        var stale = await observer.ListForgeRunnersAsync(h.Time.GetUtcNow(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(first, stale);
        Assert.Same(first, await observer.ListForgeRunnersAsync(h.Time.GetUtcNow(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        await forge.WaitForCallsAsync(2);
        Assert.Equal(0, Volatile.Read(ref refreshed));

        // The answer arrives: the loop is told, and the next cycle sees it.
        forge.Open();
        await Eventually.TrueAsync(() => Volatile.Read(ref refreshed) > 0, "the background refresh reports", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5), seen: () => $"{forge.Calls} list call(s), no report");

        var fresh = await observer.ListForgeRunnersAsync(h.Time.GetUtcNow(), CancellationToken.None);
        Assert.Equal(["r-1", "r-2"], fresh.Lists["gated"].Select(r => r.Name));
        Assert.Equal(2, forge.Calls);

        // Past the stale limit: the cycle waits for fresh lists.
        forge.Close();
        h.Time.Advance(TimeSpan.FromSeconds(11));
        var waiting = observer.ListForgeRunnersAsync(h.Time.GetUtcNow(), CancellationToken.None);
        await forge.WaitForCallsAsync(3);
        Assert.False(waiting.IsCompleted);
        forge.Open();
        Assert.Equal(3, (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Lists["gated"].Count);
    }

    private static ExecutionServices Services(LoopHarness h, IForge forge) => new()
    {
        Store = h.Store,
        Adapters = new EngineAdapters([], [forge]),
        Vault = new RunnerCredentialVault(),
        Calls = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0 }, h.Time, new Random(1)),
        Time = h.Time,
        Logger = h.Logger,
        Metrics = h.Metrics,
    };

    /// <summary>A forge whose list answers only while open; each call lists one more runner than the last.</summary>
    private sealed class GatedForge : IForge
    {
        private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public string Name => "gated";

        public int Calls => Volatile.Read(ref _calls);

        public void Open() => _gate.TrySetResult();

        public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WaitForCallsAsync(int calls) =>
            Eventually.ThatAsync(() => Calls, n => n >= calls, $"the forge listed {calls} times", n => $"{n} list call(s)", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5));

        public async Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            await _gate.Task.WaitAsync(cancellationToken);
            return [.. Enumerable.Range(1, call).Select(i => new ForgeRunner { Forge = Name, Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Name = $"r-{i}", FirstSeenAt = DateTimeOffset.UnixEpoch })];
        }

        public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
