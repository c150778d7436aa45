using System.Net.Http.Json;
using System.Threading.Channels;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Cost;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Drover.Server.Hosting;

/// <summary>
/// Posts budget alerts to each budget's <c>notify</c> URL as JSON (Drover's or a Slack incoming-webhook body), from its
/// own background loop: the control loop only queues (<see cref="Enqueue"/> never blocks; past
/// <see cref="Capacity"/> waiting alerts the oldest is dropped, and logged). Each post is retried with exponential
/// backoff on failures and non-2xx answers. The URL is a secret reference, resolved at each post and never logged.
/// </summary>
internal sealed class BudgetWebhookNotifier : BackgroundService, IBudgetNotifier
{
    /// <summary>Alerts waiting to be posted at most.</summary>
    public const int Capacity = 1000;

    private readonly Channel<(BudgetNotify Notify, BudgetAlert Alert)> _queue;
    private readonly HttpClient _http;
    private readonly SecretResolver _secrets;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;

    /// <param name="http">The client posts go through (a 10 s timeout is usual).</param>
    /// <param name="secrets">Resolves the URLs.</param>
    /// <param name="time">The clock of the retry delays.</param>
    /// <param name="logger">Where failures are logged (without the URL).</param>
    /// <param name="retryDelay">The first retry's delay; doubled each time, 5 retries.</param>
    public BudgetWebhookNotifier(HttpClient http, SecretResolver secrets, TimeProvider time, ILogger logger, TimeSpan? retryDelay = null)
    {
        _http = http;
        _secrets = secrets;
        _logger = logger;
        _queue = Channel.CreateBounded<(BudgetNotify, BudgetAlert)>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => HostingLog.BudgetNotificationDropped(logger, dropped.Item2.Status.Name));
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 5,
                Delay = retryDelay ?? TimeSpan.FromSeconds(2),
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TaskCanceledException>(),
            })
            .Build();
    }

    /// <summary>
    /// Resolves every budget's <c>notify.url</c> once, so an unset variable or unreadable file is a configuration error
    /// at start-up (exit 2), not a warning at the first alert.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">A URL reference does not resolve; the message names it, never a value.</exception>
    public static void CheckUrls(FleetConfig fleet, SecretResolver secrets)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(secrets);
        var budgets = fleet.Pools.Select(p => (Name: Core.Cost.BudgetPeriods.PoolBudget(p.Name), p.Budget))
            .Concat(fleet.Teams.Select(t => (Name: Core.Cost.BudgetPeriods.TeamBudget(t.Name), t.Budget)));
        foreach (var (name, budget) in budgets)
        {
            if (budget?.Notify is { } notify)
            {
                try
                {
                    secrets.Resolve(notify.Url, $"budget {name} notify.url");
                }
                catch (InvalidOperationException e)
                {
                    throw new AdapterConfigurationException(e.Message);
                }
            }
        }
    }

    /// <inheritdoc />
    public void Enqueue(BudgetNotify notify, BudgetAlert alert) => _queue.Writer.TryWrite((notify, alert));

    /// <summary>The body posted for <paramref name="alert"/> in <paramref name="format"/>.</summary>
    public static object Body(NotifyFormat format, BudgetAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (format == NotifyFormat.Slack)
        {
            return new Dictionary<string, object?> { ["text"] = alert.Text() };
        }

        var status = alert.Status;
        return new Dictionary<string, object?>
        {
            ["budget"] = status.Name,
            ["periodStart"] = status.PeriodStart,
            ["periodEnd"] = status.PeriodEnd,
            ["threshold"] = alert.Threshold,
            ["spend"] = status.Spend,
            ["limit"] = status.Budget.Limit,
            ["currency"] = status.Budget.Currency,
            ["usedRatio"] = status.UsedRatio,
            ["action"] = alert.Threshold >= 1m ? status.ActionName : null,
            ["spentBy"] = status.SpentBy(alert.At),
            ["at"] = alert.At,
            ["text"] = alert.Text(),
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (notify, alert) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var url = _secrets.Resolve(notify.Url, $"budget {alert.Status.Name} notify.url");
                await _retry.ExecuteAsync(
                    async ct =>
                    {
                        using var response = await _http.PostAsJsonAsync(url, Body(notify.Format, alert), ct).ConfigureAwait(false);
                        response.EnsureSuccessStatusCode();
                    },
                    stoppingToken).ConfigureAwait(false);
                HostingLog.BudgetNotified(_logger, alert.Status.Name, alert.Threshold);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The message of an HTTP failure names no URL; the reference (env:NAME) is what the operator fixes.
                HostingLog.BudgetNotificationFailed(_logger, alert.Status.Name, notify.Url.ToString(), e.GetType().Name);
            }
        }
    }
}
