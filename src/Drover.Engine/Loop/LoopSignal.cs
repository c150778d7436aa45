using System.Threading.Channels;

namespace Drover.Engine.Loop;

/// <summary>
/// A coalescing wake-up: any number of <see cref="Signal"/> calls before the loop next waits wake it once.
/// A signal raised while a cycle runs is kept, so demand that arrives mid-cycle gets its own cycle.
/// </summary>
internal sealed class LoopSignal
{
    // Capacity one, extra writes dropped: a pending wake-up absorbs every further signal until it is taken.
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Asks for a cycle as soon as possible.</summary>
    public void Signal() => _channel.Writer.TryWrite(true);

    /// <summary>True when a signal is waiting to be taken.</summary>
    public bool IsPending => _channel.Reader.Count > 0;

    /// <summary>
    /// Waits for a signal or for <paramref name="timeout"/> on <paramref name="time"/>'s clock, whichever is first.
    /// Returns true when woken by a signal, which is then consumed.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (_channel.Reader.TryRead(out _))
        {
            return true;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readable = _channel.Reader.WaitToReadAsync(linked.Token).AsTask();
        var delay = Task.Delay(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout, time, linked.Token);
        await Task.WhenAny(readable, delay).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return _channel.Reader.TryRead(out _);
    }
}
