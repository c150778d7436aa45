using System.Threading.Channels;
using Drover.Core.Ports;

namespace Drover.Server.Hosting;

/// <summary>
/// Group commit for webhook deliveries: requests hand their delivery to one writer, which stores everything waiting
/// (up to <see cref="MaxBatch"/>) in one transaction and then answers each request. A request is answered only after
/// its batch has committed, so a 202 still means stored; under load one disk sync serves many requests instead of one
/// each. A duplicate id — stored earlier or earlier in the same batch — is answered false and not stored again.
/// </summary>
internal sealed class DeliveryWriter : IAsyncDisposable
{
    public const int MaxBatch = 256;

    private readonly IStateStore _store;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public DeliveryWriter(IStateStore store)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Stores <paramref name="delivery"/>; true when stored, false for a delivery id already stored for that forge.</summary>
    public async Task<bool> StoreAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var pending = new Pending(delivery, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("the server is stopping; the delivery was not stored");
        }

        // Not cancelled with the request: once queued, the delivery is stored whether or not the caller still waits.
        return await pending.Stored.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var stored = await _store.InTransactionAsync(
                    async (writer, ct) =>
                    {
                        var results = new bool[batch.Count];
                        for (var i = 0; i < batch.Count; i++)
                        {
                            results[i] = await writer.TryInsertDeliveryAsync(batch[i].Delivery, ct).ConfigureAwait(false);
                        }

                        return results;
                    },
                    CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Stored.TrySetResult(stored[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var pending in batch)
                {
                    pending.Stored.TrySetException(e);
                }
            }

            batch.Clear();
        }
    }

    private sealed record Pending(WebhookDelivery Delivery, TaskCompletionSource<bool> Stored);
}
