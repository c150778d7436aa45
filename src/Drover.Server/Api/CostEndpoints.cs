using System.Globalization;
using Drover.Core.Cost;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>
/// <c>GET /api/v1/cost?by=pool|team|scope|provider&amp;from=&amp;to=</c>: the cost ledger summed by one dimension
/// (amount, currency, idle waste and its share) over [from, to), with every budget as it stands. From defaults to the
/// start of the current month (UTC), to to now.
/// </summary>
internal static class CostEndpoints
{
    public static void Map(WebApplication app, ServerState server)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Viewer));
        api.MapGet("/cost", async (string? by, string? from, string? to, CancellationToken ct) =>
        {
            var now = server.Time.GetUtcNow();
            var dimension = CostDimension.Pool;
            if (by is not null && !CostReport.Dimensions.TryGetValue(by, out dimension))
            {
                return Error($"by: unknown value '{by}'; one of: {string.Join(", ", CostReport.Dimensions.Keys)}");
            }

            if (!Instant(from, "from", new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), out var start, out var problem)
                || !Instant(to, "to", now, out var end, out problem))
            {
                return Error(problem!);
            }

            if (end <= start)
            {
                return Error($"from ({start:O}) must be before to ({end:O})");
            }

            var config = server.Loop.Snapshot.Config;
            // Written lines, and on the leader the live time priced but not written yet (the current hour of each
            // runner's current state), so the figures are current rather than as of the hour's start.
            var stored = await server.Store.ListCostAsync(start, end, ct).ConfigureAwait(false);
            var lines = stored.Concat(server.Loop.Snapshot.PendingCost.Where(l => l.From >= start && l.From < end)).ToList();
            var rows = CostReport.By(lines, dimension, pool => config.FindPool(pool) is { } p ? config.TeamOf(p) : null);
            return Results.Json(new
            {
                from = start,
                to = end,
                by = dimension.ToString().ToLowerInvariant(),
                rows = rows.Select(r => new { key = r.Key, currency = r.Currency, amount = decimal.Round(r.Amount, 6), idleWaste = decimal.Round(r.IdleWaste, 6), idleWasteShare = decimal.Round(r.IdleWasteShare, 4), runnerSeconds = r.RunnerSeconds }),
                budgets = Budgets(server.Loop.Snapshot.Budgets, now),
            });
        });
    }

    /// <summary>Budgets as the API and the dashboard show them.</summary>
    public static IEnumerable<object> Budgets(IReadOnlyList<BudgetStatus> budgets, DateTimeOffset now) =>
        budgets.Select(b => new
        {
            name = b.Name,
            period = b.Budget.Period.ToString().ToLowerInvariant(),
            timezone = b.Budget.TimeZone,
            periodStart = b.PeriodStart,
            periodEnd = b.PeriodEnd,
            spend = decimal.Round(b.Spend, 6),
            limit = b.Budget.Limit,
            currency = b.Budget.Currency,
            usedRatio = decimal.Round(b.UsedRatio, 4),
            thresholds = b.Budget.Thresholds,
            action = b.ActionName,
            exhausted = b.Exhausted,
            spentBy = b.SpentBy(now),
            note = b.Exhausted ? b.Describe() : null,
        });

    private static bool Instant(string? text, string name, DateTimeOffset fallback, out DateTimeOffset value, out string? problem)
    {
        problem = null;
        value = fallback;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        problem = $"{name}: '{text}' is not a date or instant; write e.g. 2026-12-01 or 2026-12-01T08:00:00Z";
        return false;
    }

    private static IResult Error(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);
}
