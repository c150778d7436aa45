using System.Collections.Concurrent;
using Drover.Core.Adapters;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Drover.Engine.Execution;

/// <summary>
/// The one policy every provider and forge call goes through. Each attempt gets its own cancellation token, cancelled
/// at <see cref="CallResilienceOptions.AttemptTimeout"/>, which the call receives. Failures are classified
/// (<see cref="CallFailures.Classify"/>): only transient ones are retried, with exponential backoff and jitter; a rate
/// limit is waited out — later calls to that target fail fast, without calling out, until its retry-after has passed;
/// when only one endpoint's budget is spent at the target's <see cref="CallPacer"/>, only that operation's calls do —
/// and busy, not-found and configuration failures are returned to the caller at once.
/// </summary>
internal sealed class CallPolicy
{
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly CallResilienceOptions _options;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _limitedUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HealthRecorder> _health = new(StringComparer.Ordinal);

    /// <param name="options">Retries, backoff, attempt timeout and the wait after a rate limit that gave no retry-after.</param>
    /// <param name="time">The clock for delays, timeouts and rate-limit waits.</param>
    /// <param name="random">The jitter source; give each replica its own (never a fixed seed in production).</param>
    public CallPolicy(CallResilienceOptions options, TimeProvider time, Random random)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        ArgumentNullException.ThrowIfNull(random);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Randomizer = () =>
                {
                    lock (random)
                    {
                        return random.NextDouble();
                    }
                },
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsRetryable),
            });
        }

        _pipeline = builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout }).Build();
    }

    /// <summary>Whether a failure is worth another attempt: attempt timeouts and transient failures, nothing else.</summary>
    public static bool IsRetryable(Exception e) => e switch
    {
        TimeoutRejectedException => true,
        OperationCanceledException => false,
        _ => CallFailures.Classify(e).Kind == CallFailureKind.Transient,
    };

    /// <summary>Until when calls to <paramref name="target"/> are held back by a rate limit; null when they are not.</summary>
    public DateTimeOffset? RateLimitedUntil(string target) => RateLimitedUntil(target, null);

    /// <summary>
    /// Until when <paramref name="operation"/> calls to <paramref name="target"/> are held back: by a rate limit of the
    /// whole target, or by one of that operation alone (its endpoint's budget spent at the target's pacer,
    /// <see cref="CallPacedException"/>); the later of the two; null when neither holds.
    /// </summary>
    public DateTimeOffset? RateLimitedUntil(string target, string? operation)
    {
        var now = _time.GetUtcNow();
        DateTimeOffset? result = _limitedUntil.TryGetValue(target, out var until) && until > now ? until : null;
        if (operation is not null && _limitedUntil.TryGetValue(Key(target, operation), out var scoped) && scoped > now && (result is not { } whole || scoped > whole))
        {
            result = scoped;
        }

        return result;
    }

    /// <summary>
    /// The outcomes of the calls made to <paramref name="target"/> through this policy (after retries: one outcome per
    /// <see cref="RunAsync{T}"/>); null when none was made yet. What the engine knows of an adapter's health when the
    /// adapter does not report it itself.
    /// </summary>
    public HealthRecorder? Health(string target) => _health.GetValueOrDefault(target);

    /// <summary>Runs <paramref name="call"/> for <paramref name="target"/> (e.g. <c>provider k8s</c>) under the policy.</summary>
    /// <exception cref="CallHeldBackException">The target is rate limited; nothing was sent.</exception>
    public Task<T> RunAsync<T>(string target, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        RunAsync(target, null, call, cancellationToken);

    /// <summary>
    /// Runs <paramref name="call"/>, an <paramref name="operation"/> (e.g. <c>credential</c>) of <paramref name="target"/>,
    /// under the policy: a rate limit of that operation's endpoint alone (<see cref="CallPacedException"/> naming it) holds
    /// back only that operation's later calls; one of the whole target holds back all of them.
    /// </summary>
    /// <exception cref="CallHeldBackException">The target, or the operation, is rate limited; nothing was sent.</exception>
    public async Task<T> RunAsync<T>(string target, string? operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var health = _health.GetOrAdd(target, _ => new HealthRecorder(_time));
        if (RateLimitedUntil(target, operation) is { } until)
        {
            var held = new CallHeldBackException(target, until);
            health.RateLimited(until, held.Message);
            throw held;
        }

        try
        {
            var result = await _pipeline.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            health.Succeeded();
            return result;
        }
        catch (Exception e) when (CallFailures.Classify(e) is { Kind: CallFailureKind.RateLimited } limited)
        {
            var now = _time.GetUtcNow();
            // A pacer's hold of one endpoint holds that operation only (an unnamed call's: its endpoint, which only the
            // pacer itself consults); any other rate limit holds the whole target.
            var key = Paced(e) is { Endpoint: { } endpoint } ? Key(target, operation ?? endpoint) : target;
            _limitedUntil[key] = limited.RetryAt is { } at && at > now ? at : now + _options.RateLimitWait;
            if (key == target)
            {
                // (One endpoint's budget spent at the pacer sent nothing and says nothing of the target's health.)
                health.Failed(e);
            }

            throw;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            health.Failed(e is TimeoutRejectedException ? new TimeoutException($"{target}: no answer within {_options.AttemptTimeout.TotalSeconds:0} s", e) : e);
            throw;
        }
    }

    private static string Key(string target, string operation) => target + " " + operation;

    private static CallPacedException? Paced(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is CallPacedException paced)
            {
                return paced;
            }
        }

        return null;
    }

    /// <inheritdoc cref="RunAsync{T}(string, Func{CancellationToken, Task{T}}, CancellationToken)"/>
    public Task RunAsync(string target, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RunAsync(
            target,
            async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }
}
