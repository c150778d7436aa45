namespace Drover.Testing;

/// <summary>Waits for a condition that becomes true asynchronously (a server, a loop, a watch), failing with what was awaited.</summary>
public static class Eventually
{
    /// <summary>The default wait: long enough for a loaded 2-core machine, short enough to fail a hung test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> every <paramref name="every"/> (default 50 ms) until it holds.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/>; the message names <paramref name="what"/>.</exception>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {limit.TotalSeconds:0.#} s: {what}");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="TrueAsync(Func{Task{bool}}, string, TimeSpan?, TimeSpan?)"/>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return TrueAsync(() => Task.FromResult(condition()), what, timeout, every);
    }

    /// <summary>Polls <paramref name="read"/> until it returns a value that is not null, and returns it.</summary>
    /// <exception cref="TimeoutException">No value within <paramref name="timeout"/>; the message names <paramref name="what"/>.</exception>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> read, string what, TimeSpan? timeout = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        T? value = null;
        await TrueAsync(async () => (value = await read().ConfigureAwait(false)) is not null, what, timeout).ConfigureAwait(false);
        return value!;
    }
}
