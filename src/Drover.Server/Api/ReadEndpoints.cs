using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Health;
using Drover.Engine.Loop;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>
/// The viewer part of <c>/api/v1</c>: pools, runners, jobs, events, webhook deliveries that wait or were quarantined,
/// component health, the plan the next cycle would make, and the caller's own token name and role (<c>/whoami</c>).
/// </summary>
internal static class ReadEndpoints
{
    public static void Map(WebApplication app, ServerState server)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Viewer));
        api.MapGet("/pools", () => Results.Json(new { demo = server.Options.Demo, role = server.Election.Role, leader = server.Election.Leader, at = server.Loop.Snapshot.At, pools = Pools(server.Loop.Snapshot), breakers = Breakers(server.Loop.Snapshot) }));
        api.MapGet("/pools/{name}", (string name) =>
            Pools(server.Loop.Snapshot).FirstOrDefault(p => p.Name == name) is { } pool
                ? Results.Json(pool)
                : Results.Json(new { error = $"no pool named '{name}'" }, statusCode: StatusCodes.Status404NotFound));
        api.MapGet("/runners", async (string? pool, string? state, CancellationToken ct) =>
        {
            RunnerState? filter = null;
            if (state is not null)
            {
                if (!Enum.TryParse<RunnerState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                {
                    return BadQuery("state", state, Enum.GetNames<RunnerState>());
                }

                filter = parsed;
            }

            var runners = filter is null
                ? await server.Store.ListLiveRunnersAsync(pool, ct).ConfigureAwait(false)
                : await server.Store.ListRunnersAsync(pool, filter, ct).ConfigureAwait(false);
            return Results.Json(new { runners });
        });
        api.MapGet("/jobs", async (string? state, string? pool, int? limit, CancellationToken ct) =>
        {
            var filter = JobState.Queued;
            if (state is not null && (!Enum.TryParse(state, ignoreCase: true, out filter) || !Enum.IsDefined(filter)))
            {
                return BadQuery("state", state, Enum.GetNames<JobState>());
            }

            if (limit is < 1 or > 1000)
            {
                return Results.Json(new { error = $"limit: must be between 1 and 1000, not {limit}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var config = server.Loop.Snapshot.Config;
            if (pool is not null && config.FindPool(pool) is null)
            {
                return Results.Json(new { error = $"pool: no pool named '{pool}'; one of: {string.Join(", ", config.Pools.Select(p => p.Name))}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var (matcher, now) = (new PoolMatcher(config), server.Time.GetUtcNow());
            var jobs = JobView.Ordered(await server.Store.ListJobsAsync(filter, ct).ConfigureAwait(false), filter)
                .Select(j => JobView.Of(j, matcher, now))
                .Where(j => pool is null || j.Pool == pool)
                .Take(limit ?? int.MaxValue);
            return Results.Json(new { jobs });
        });
        api.MapGet("/whoami", (HttpContext http) =>
        {
            var caller = RoleFilter.Caller(http);
            return Results.Json(new { name = caller.Name, role = caller.Role.ToString().ToLowerInvariant() });
        });
        api.MapGet("/jobs/{forge}/{id}", async (string forge, string id, CancellationToken ct) =>
            await server.Store.GetJobAsync(new JobKey(forge, id), ct).ConfigureAwait(false) is { } job
                ? Results.Json(JobView.Of(job, new PoolMatcher(server.Loop.Snapshot.Config), server.Time.GetUtcNow()))
                : Results.Json(new { error = $"no job '{id}' of forge '{forge}'" }, statusCode: StatusCodes.Status404NotFound));
        api.MapGet("/events", async (long? after, int? limit, bool? newest, CancellationToken ct) =>
        {
            if (limit is < 1 or > 1000)
            {
                return Results.Json(new { error = $"limit: must be between 1 and 1000, not {limit}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var events = await server.Store.ListEventsAsync(new EventQuery { AfterId = after ?? 0, Limit = limit ?? 100, Newest = newest ?? false }, ct).ConfigureAwait(false);
            return Results.Json(new { events });
        });
        api.MapGet("/deliveries", async (string? state, int? limit, CancellationToken ct) =>
        {
            var filter = DeliveryState.Quarantined;
            if (state is not null && (!state.All(char.IsAsciiLetter) || !Enum.TryParse(state, ignoreCase: true, out filter)))
            {
                return BadQuery("state", state, Enum.GetNames<DeliveryState>());
            }

            if (limit is < 1 or > 1000)
            {
                return Results.Json(new { error = $"limit: must be between 1 and 1000, not {limit}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var deliveries = await server.Store.ListDeliveriesAsync(filter, limit ?? 100, ct).ConfigureAwait(false);
            return Results.Json(new { deliveries = deliveries.Select(DeliveryView) });
        });
        api.MapGet("/health", async (CancellationToken ct) => Results.Json(await server.Health.CheckAsync(ct).ConfigureAwait(false)));
        api.MapGet("/plan", async (CancellationToken ct) => Results.Json(await server.Loop.PreviewAsync(ct).ConfigureAwait(false)));
    }

    /// <summary>What the API shows of a stored delivery: never its body or headers.</summary>
    private static object DeliveryView(WebhookDelivery d) => new
    {
        forge = d.Forge,
        deliveryId = d.DeliveryId,
        receivedAt = d.ReceivedAt,
        attempts = d.Attempts,
        reason = d.LastFailure,
        nextAttemptAt = d.NextAttemptAt,
        quarantinedAt = d.QuarantinedAt,
    };

    private static IResult BadQuery(string name, string value, IEnumerable<string> allowed) =>
        Results.Json(new { error = $"{name}: unknown value '{value}'; one of: {string.Join(", ", allowed.Select(a => a.ToLowerInvariant()))}" }, statusCode: StatusCodes.Status400BadRequest);

    private static List<PoolView> Pools(LoopSnapshot snapshot) =>
        [.. snapshot.Config.Pools.Select(p =>
        {
            var runners = snapshot.Runners.Where(r => r.Pool == p.Name).ToList();
            var planned = snapshot.Plan?.Pools.FirstOrDefault(pp => pp.Pool == p.Name);
            return new PoolView(
                p.Name,
                p.Forge,
                p.Provider,
                p.Policy,
                p.Min,
                p.Max,
                planned?.Desired,
                runners.Count(r => r.IsActive),
                runners.Count(r => r.IsBooting),
                runners.Count(r => r.State == RunnerState.Idle),
                runners.Count(r => r.State == RunnerState.Busy),
                snapshot.QueuedByPool.GetValueOrDefault(p.Name),
                snapshot.WaitP95ByPool.TryGetValue(p.Name, out var p95) ? Math.Round(p95, 1) : null,
                snapshot.DrainedPools.Contains(p.Name),
                planned?.Reason,
                planned?.Notes ?? []);
        })];

    private static List<object> Breakers(LoopSnapshot snapshot) =>
        [.. snapshot.Config.Providers.Select(p =>
        {
            var breaker = snapshot.Breakers.GetValueOrDefault(p.Name) ?? CircuitBreakerState.Closed;
            var now = snapshot.At ?? DateTimeOffset.MinValue;
            return (object)new { provider = p.Name, status = AdapterHealth.BreakerName(CircuitBreaker.Current(breaker, now, snapshot.BreakerOptions)), description = CircuitBreaker.Describe(breaker, now, snapshot.BreakerOptions) };
        })];
}
