using Drover.Core.Ports;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>Contract cases for operator requests and the lifetime of processed deliveries.</summary>
public abstract partial class StateStoreContract
{
    [StoreFact]
    public async Task AdminRequests_PutReplaceListRemove_SurviveReopen()
    {
        var store = await OpenAsync();
        var drain = new AdminRequest(AdminRequestKind.Drain, "linux-x64", "api:alice", T0, "maintenance");
        var delete = new AdminRequest(AdminRequestKind.DeleteRunner, "drover-linux-x64-3", "api:bob", T0.AddSeconds(1), "stuck");

        await store.InTransactionAsync(async (w, ct) =>
        {
            await w.PutAdminRequestAsync(drain, ct);
            await w.PutAdminRequestAsync(delete, ct);
            await w.PutAdminRequestAsync(drain with { Reason = "maintenance window", Actor = "api:carol" }, ct);
            return true;
        }, _none);
        await store.DisposeAsync();
        var reopened = await OpenAsync();

        Assert.Equal(
            [delete, drain with { Reason = "maintenance window", Actor = "api:carol" }],
            await reopened.ListAdminRequestsAsync(_none));
        Assert.True(await reopened.InTransactionAsync((w, ct) => w.RemoveAdminRequestAsync(AdminRequestKind.Drain, "linux-x64", ct), _none));
        Assert.False(await reopened.InTransactionAsync((w, ct) => w.RemoveAdminRequestAsync(AdminRequestKind.Drain, "linux-x64", ct), _none));
        Assert.Equal([delete], await reopened.ListAdminRequestsAsync(_none));
    }

    [StoreFact]
    public async Task AdminRequests_WrittenInAFailedTransaction_AreNotKept()
    {
        var store = await OpenAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.InTransactionAsync<bool>(async (w, ct) =>
        {
            await w.PutAdminRequestAsync(new AdminRequest(AdminRequestKind.Drain, "linux-x64", "api:alice", T0, "x"), ct);
            throw new InvalidOperationException("crash after the request, before the audit event");
        }, _none));

        Assert.Empty(await store.ListAdminRequestsAsync(_none));
    }

    [StoreFact]
    public async Task Deliveries_ProcessedBeforeTheCutoff_AreDeletedOthersKept()
    {
        var store = await OpenAsync();
        await store.InTransactionAsync(async (w, ct) =>
        {
            foreach (var id in new[] { "old", "recent", "waiting" })
            {
                await w.TryInsertDeliveryAsync(NewDelivery(id, T0), ct);
            }

            await w.MarkDeliveryProcessedAsync("github", "old", T0.AddHours(1), ct);
            await w.MarkDeliveryProcessedAsync("github", "recent", T0.AddHours(30), ct);
            return true;
        }, _none);

        var deleted = await store.InTransactionAsync((w, ct) => w.DeleteProcessedDeliveriesAsync(T0.AddHours(25), ct), _none);

        Assert.Equal(1, deleted);
        Assert.Null(await store.GetDeliveryAsync("github", "old", _none));
        Assert.Equal(T0.AddHours(30), (await store.GetDeliveryAsync("github", "recent", _none))!.ProcessedAt);
        Assert.Null((await store.GetDeliveryAsync("github", "waiting", _none))!.ProcessedAt);
    }

    [StoreFact]
    public async Task Deliveries_FailedOnes_WaitOutTheirRetryAndComeAfterNewOnes()
    {
        var store = await OpenAsync();
        await store.InTransactionAsync(async (w, ct) =>
        {
            foreach (var (id, at) in new[] { ("failing", T0), ("new", T0.AddSeconds(5)), ("due", T0.AddSeconds(1)) })
            {
                await w.TryInsertDeliveryAsync(NewDelivery(id, at), ct);
            }

            Assert.True(await w.RecordDeliveryFailureAsync("github", "failing", "attempt 1 failed: Boom", T0.AddMinutes(1), ct));
            Assert.True(await w.RecordDeliveryFailureAsync("github", "due", "attempt 1 failed: Boom", T0.AddSeconds(10), ct));
            Assert.True(await w.RecordDeliveryFailureAsync("github", "due", "attempt 2 failed: Bang", T0.AddSeconds(20), ct));
            Assert.False(await w.RecordDeliveryFailureAsync("github", "nope", "x", T0, ct));
            return true;
        }, _none);

        // Waiting out a delay: not listed, so stuck deliveries never fill the batch; new ones first, then by attempts.
        Assert.Equal(["new"], (await store.ListUnprocessedDeliveriesAsync(10, T0.AddSeconds(19), _none)).Select(d => d.DeliveryId));
        Assert.Equal(["new", "due"], (await store.ListUnprocessedDeliveriesAsync(10, T0.AddSeconds(20), _none)).Select(d => d.DeliveryId));
        Assert.Equal(["new", "failing", "due"], (await store.ListUnprocessedDeliveriesAsync(10, T0.AddHours(1), _none)).Select(d => d.DeliveryId));
        Assert.Equal(["new"], (await store.ListUnprocessedDeliveriesAsync(1, T0.AddHours(1), _none)).Select(d => d.DeliveryId));
        var due = await store.GetDeliveryAsync("github", "due", _none);
        Assert.Equal((2, T0.AddSeconds(20), "attempt 2 failed: Bang", (DateTimeOffset?)null), (due!.Attempts, due.NextAttemptAt, due.LastFailure, due.QuarantinedAt));
        Assert.Equal(["failing", "due", "new"], (await store.ListDeliveriesAsync(DeliveryState.Waiting, 10, _none)).Select(d => d.DeliveryId));
    }

    [StoreFact]
    public async Task Deliveries_Quarantined_AreNeverListedAgainUntilRequeued_AndExpire()
    {
        var store = await OpenAsync();
        await store.InTransactionAsync(async (w, ct) =>
        {
            foreach (var id in new[] { "bad", "worse", "fine" })
            {
                await w.TryInsertDeliveryAsync(NewDelivery(id, T0), ct);
            }

            Assert.True(await w.QuarantineDeliveryAsync("github", "bad", "unreadable: FormatException: id is not a number", T0.AddSeconds(1), ct));
            Assert.True(await w.QuarantineDeliveryAsync("github", "worse", "attempt 1 of 1 failed: Boom", T0.AddDays(2), ct));
            Assert.False(await w.QuarantineDeliveryAsync("github", "bad", "again", T0.AddSeconds(2), ct));
            Assert.False(await w.RecordDeliveryFailureAsync("github", "bad", "again", T0, ct));
            return true;
        }, _none);

        Assert.Equal(["fine"], (await store.ListUnprocessedDeliveriesAsync(10, T0.AddDays(30), _none)).Select(d => d.DeliveryId));
        var quarantined = await store.ListDeliveriesAsync(DeliveryState.Quarantined, 10, _none);
        Assert.Equal(["worse", "bad"], quarantined.Select(d => d.DeliveryId));
        Assert.Equal((1, T0.AddSeconds(1), "unreadable: FormatException: id is not a number", (DateTimeOffset?)null), (quarantined[1].Attempts, quarantined[1].QuarantinedAt, quarantined[1].LastFailure, quarantined[1].ProcessedAt));

        // Processed-delivery retention leaves quarantined ones alone; theirs is separate.
        Assert.Equal(0, await store.InTransactionAsync((w, ct) => w.DeleteProcessedDeliveriesAsync(T0.AddDays(30), ct), _none));
        Assert.Equal(1, await store.InTransactionAsync((w, ct) => w.DeleteQuarantinedDeliveriesAsync(T0.AddDays(1), ct), _none));
        Assert.Null(await store.GetDeliveryAsync("github", "bad", _none));

        Assert.True(await store.InTransactionAsync((w, ct) => w.RequeueDeliveryAsync("github", "worse", ct), _none));
        Assert.False(await store.InTransactionAsync((w, ct) => w.RequeueDeliveryAsync("github", "fine", ct), _none));
        var requeued = await store.GetDeliveryAsync("github", "worse", _none);
        Assert.Equal((0, null, null, null), (requeued!.Attempts, requeued.NextAttemptAt, requeued.LastFailure, requeued.QuarantinedAt));
        Assert.Equal(["fine", "worse"], (await store.ListUnprocessedDeliveriesAsync(10, T0, _none)).Select(d => d.DeliveryId).Order());
        Assert.Empty(await store.ListDeliveriesAsync(DeliveryState.Quarantined, 10, _none));
    }

    [StoreFact]
    public async Task LiveRunners_LeaveOutGoneOnes_ByPoolOrAll()
    {
        var store = await OpenAsync();
        await store.InTransactionAsync(async (w, ct) =>
        {
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1"), "planned", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-2") with { State = Core.Runners.RunnerState.Gone }, "planned", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-gpu-1") with { Pool = "gpu" }, "planned", ct);
            return true;
        }, _none);

        Assert.Equal(["drover-gpu-1", "drover-linux-x64-1"], (await store.ListLiveRunnersAsync(null, _none)).Select(r => r.Id));
        Assert.Equal(["drover-linux-x64-1"], (await store.ListLiveRunnersAsync("linux-x64", _none)).Select(r => r.Id));
        Assert.Equal(3, (await store.ListRunnersAsync(null, null, _none)).Count);
    }

    [StoreFact]
    public async Task ObservedState_IsThePlanningStateWithoutItsJobs()
    {
        var store = await OpenAsync();
        await store.InTransactionAsync(async (w, ct) =>
        {
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1"), "planned", ct);
            await w.SetNextOrdinalAsync("linux-x64", 2, ct);
            return true;
        }, _none);

        var planning = await store.LoadPlanningStateAsync(T0.AddDays(-40), _none);
        var observed = await store.LoadObservedStateAsync(T0.AddDays(-40), withRunners: true, _none);
        var withoutRunners = await store.LoadObservedStateAsync(T0.AddDays(-40), withRunners: false, _none);

        Assert.Equal(planning.Observed.Runners, observed.Runners);
        Assert.Equal(planning.Observed.NextOrdinals, observed.NextOrdinals);
        Assert.Equal(planning.Observed.Breakers, observed.Breakers);
        Assert.Equal(planning.Observed.PoolSpend, observed.PoolSpend);
        Assert.NotEmpty(observed.Runners);
        Assert.Empty(withoutRunners.Runners);
        Assert.Equal(planning.Observed.NextOrdinals, withoutRunners.NextOrdinals);
        Assert.Equal(planning.Observed.PoolSpend, withoutRunners.PoolSpend);
    }
}
