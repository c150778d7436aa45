using System.Diagnostics;

namespace Drover.Testing;

/// <summary>
/// Waits for a condition that becomes true asynchronously (a server, a loop, a watch, a child process), polling it with
/// a bound. The one way tests wait: a failure says what was awaited, for how long, and what was last seen.
/// </summary>
public static class Eventually
{
    /// <summary>The default wait: long enough for a loaded 2-core machine, short enough to fail a hung test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default pause between two polls.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Reads a value every <paramref name="every"/> (default <see cref="DefaultInterval"/>) until <paramref name="accept"/>
    /// holds for it, and returns that value. An exception from <paramref name="read"/> or <paramref name="accept"/> ends
    /// the wait at once (a test can fail fast from inside the probe).
    /// </summary>
    /// <param name="read">Reads the state awaited.</param>
    /// <param name="accept">Whether the state read is the one awaited.</param>
    /// <param name="what">What is awaited, for the failure message (e.g. <c>"every job completed"</c>).</param>
    /// <param name="describe">How the last value read is shown in the failure message; default its <c>ToString()</c>; null: not shown.</param>
    /// <param name="timeout">How long to wait; default <see cref="DefaultTimeout"/>.</param>
    /// <param name="every">The pause between two reads.</param>
    /// <exception cref="TimeoutException">Not accepted within <paramref name="timeout"/>; the message names <paramref name="what"/> and the last value read.</exception>
    public static async Task<T> ThatAsync<T>(Func<Task<T>> read, Func<T, bool> accept, string what, Func<T, string?>? describe = null, TimeSpan? timeout = null, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(accept);
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var value = await read().ConfigureAwait(false);
            if (accept(value))
            {
                return value;
            }

            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                var seen = describe is null ? value?.ToString() : describe(value);
                throw new TimeoutException($"not within {limit.TotalSeconds:0.###} s: {what}{(seen is null ? string.Empty : $"; last seen: {seen}")}");
            }

            await Task.Delay(every ?? DefaultInterval).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="ThatAsync{T}(Func{Task{T}}, Func{T, bool}, string, Func{T, string}, TimeSpan?, TimeSpan?)"/>
    public static Task<T> ThatAsync<T>(Func<T> read, Func<T, bool> accept, string what, Func<T, string?>? describe = null, TimeSpan? timeout = null, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ThatAsync(() => Task.FromResult(read()), accept, what, describe, timeout, every);
    }

    /// <summary>Polls <paramref name="condition"/> every <paramref name="every"/> (default <see cref="DefaultInterval"/>) until it holds.</summary>
    /// <param name="condition">The condition awaited.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="timeout">How long to wait; default <see cref="DefaultTimeout"/>.</param>
    /// <param name="every">The pause between two polls.</param>
    /// <param name="seen">Describes the state when the wait fails (e.g. <c>() => $"{done} of {total} done"</c>).</param>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/>; the message names <paramref name="what"/> and what <paramref name="seen"/> says.</exception>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null, Func<string>? seen = null) =>
        ThatAsync(condition, held => held, what, _ => seen?.Invoke(), timeout, every);

    /// <inheritdoc cref="TrueAsync(Func{Task{bool}}, string, TimeSpan?, TimeSpan?, Func{string})"/>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null, Func<string>? seen = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return TrueAsync(() => Task.FromResult(condition()), what, timeout, every, seen);
    }

    /// <summary>Polls <paramref name="read"/> until it returns a value that is not null, and returns it.</summary>
    /// <exception cref="TimeoutException">No value within <paramref name="timeout"/>; the message names <paramref name="what"/>.</exception>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> read, string what, TimeSpan? timeout = null, TimeSpan? every = null)
        where T : class =>
        (await ThatAsync<T?>(read, value => value is not null, what, _ => "nothing", timeout, every).ConfigureAwait(false))!;
}
