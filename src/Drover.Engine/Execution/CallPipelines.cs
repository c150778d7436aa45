using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Drover.Engine.Execution;

/// <summary>
/// Builds the Polly pipelines every provider and forge call goes through: retry with exponential backoff and
/// jitter around a per-attempt timeout. The clock and the jitter's randomness are injected.
/// </summary>
public static class CallPipelines
{
    /// <summary>A pipeline for calls that may be retried (all port calls are idempotent).</summary>
    /// <param name="options">Retry and timeout settings.</param>
    /// <param name="time">The clock for delays and timeouts.</param>
    /// <param name="random">The source of jitter.</param>
    public static ResiliencePipeline Create(CallResilienceOptions options, TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
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
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || e is TimeoutRejectedException),
            });
        }

        return builder
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout })
            .Build();
    }
}
