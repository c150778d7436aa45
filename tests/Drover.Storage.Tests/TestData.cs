using System.Text;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Storage.Tests;

/// <summary>Records for the contract tests and a store filled with one of everything.</summary>
public static class TestData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static Runner NewRunner(string id, RunnerState state = RunnerState.Requested, string pool = "linux-x64", DateTimeOffset? at = null) => new()
    {
        Id = id,
        Pool = pool,
        Provider = "k8s",
        IdempotencyKey = id,
        Ordinal = long.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture),
        State = state,
        StateSince = at ?? T0,
        CreatedAt = T0,
    };

    public static Job NewJob(string id, JobState state = JobState.Queued) => new()
    {
        Key = new JobKey("github", id),
        State = state,
        Labels = ["self-hosted", "linux", "x64"],
        Scope = "acme/web",
        QueuedAt = T0,
        StartedAt = state == JobState.Queued ? null : T0.AddSeconds(30),
        RunId = 77,
        LastEventAt = T0.AddSeconds(30),
    };

    public static CostEntry NewCost(string pool, DateTimeOffset from, decimal amount) => new()
    {
        Pool = pool,
        Team = "platform",
        Provider = "ec2",
        From = from,
        To = from.AddHours(1),
        RunnerSeconds = 3600.25,
        Amount = amount,
        Currency = "USD",
    };

    public static WebhookDelivery NewDelivery(string id, DateTimeOffset receivedAt) => new()
    {
        Forge = "github",
        DeliveryId = id,
        ReceivedAt = receivedAt,
        HeadersJson = """{"X-GitHub-Event":"workflow_job"}""",
        Body = Encoding.UTF8.GetBytes($$"""{"action":"queued","id":"{{id}}"}"""),
    };

    /// <summary>Writes at least one row to every table, with nulls, unicode, binary and fractional values.</summary>
    public static async Task FillAsync(IStateStore store)
    {
        await store.InTransactionAsync(
            async (w, ct) =>
            {
                await w.ReplacePoolsAsync([new StoredPool("linux-x64", """{"name":"linux-x64","max":10}""", T0)], ct);
                await w.UpsertJobAsync(NewJob("901"), ct);
                await w.UpsertJobAsync(
                    NewJob("902", JobState.Running) with
                    {
                        RunnerName = "drover-linux-x64-1",
                        Scope = null,
                        KnownAt = T0.AddMilliseconds(400.5),
                        RunnerTimes = new JobRunnerTimes { RunnerId = "drover-linux-x64-1", RequestedAt = T0, InstanceCreatedAt = T0.AddSeconds(2), ReadyAt = T0.AddSeconds(40) },
                    },
                    ct);
                await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1"), "planned", ct);
                await w.UpsertRunnerAsync(
                    NewRunner("drover-linux-x64-1", RunnerState.Busy, at: T0.AddMinutes(1)) with
                    {
                        InstanceId = "i-1",
                        ProvisionedAt = T0.AddSeconds(2),
                        RegisteredAt = T0.AddSeconds(39),
                        ReadyAt = T0.AddSeconds(40),
                        ForgeRunnerId = "4711",
                        Job = new JobKey("github", "902"),
                    },
                    "took job",
                    ct);
                await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-2", RunnerState.Failed) with { Attempt = 2, FailureReason = "quota – ünïcode", LostAt = T0.AddSeconds(3) }, "boot failed", ct);
                await w.AppendEventAsync(new NewEvent(T0, "planner", "plan.create", "drover-linux-x64-1", "create runner", """{"ordinal":1}"""), ct);
                await w.AppendEventAsync(new NewEvent(T0.AddSeconds(1), "admin:alice", "pool.pause", "linux-x64", "paused"), ct);
                await w.AddCostAsync(NewCost("linux-x64", T0, 12.3400m), ct);
                await w.SetNextOrdinalAsync("linux-x64", 3, ct);
                await w.SetBreakerAsync("ec2", new CircuitBreakerState { Status = BreakerStatus.HalfOpen, ConsecutiveFailures = 5, OpenedAt = T0 }, ct);
                await w.TryInsertDeliveryAsync(NewDelivery("d-1", T0) with { Body = new byte[] { 0, 255, 128, 10 } }, ct);
                return true;
            },
            CancellationToken.None);
        await store.TryAcquireOrRenewLeaseAsync("leader", "replica-a", TimeSpan.FromSeconds(15), T0, CancellationToken.None);
    }

    public static async Task<byte[]> ExportAsync(IStateStore store)
    {
        using var buffer = new MemoryStream();
        await store.ExportAsync(buffer, CancellationToken.None);
        return buffer.ToArray();
    }
}
