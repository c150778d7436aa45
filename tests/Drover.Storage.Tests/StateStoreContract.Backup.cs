using System.Text;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Storage.Schema;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>Contract cases for export and import.</summary>
public abstract partial class StateStoreContract
{
    [StoreFact]
    public async Task Export_ImportedIntoFreshStore_ExportsIdenticalBytes()
    {
        var source = await OpenAsync();
        await FillAsync(source);
        var exported = await ExportAsync(source);
        var target = await OpenFreshAsync();

        await target.ImportAsync(new MemoryStream(exported), force: false, _none);

        Assert.Equal(Encoding.UTF8.GetString(exported), Encoding.UTF8.GetString(await ExportAsync(target)));
        Assert.Equal(await source.GetRunnerHistoryAsync("drover-linux-x64-1", _none), await target.GetRunnerHistoryAsync("drover-linux-x64-1", _none));
        var next = await target.InTransactionAsync(
            (w, ct) => w.AppendEventAsync(new NewEvent(T0, "test", "after.import", "-", "ids continue"), ct), _none);
        Assert.Equal(3, next.Id);
    }

    [StoreFact]
    public async Task Import_BackupOfSchemaVersion1_Restores_NewerTablesStayEmpty()
    {
        var source = await OpenAsync();
        await FillAsync(source);
        var lines = Encoding.UTF8.GetString(await ExportAsync(source)).TrimEnd('\n').Split('\n').ToList();

        // A version-1 backup: the header says 1, there is no admin_requests table (added by migration 2) and the
        // deliveries have no attempt or quarantine columns (added by migration 4).
        lines[0] = lines[0].Replace($"\"schemaVersion\":{StoreSchema.CurrentVersion}", "\"schemaVersion\":1", StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("\"admin_requests\"", StringComparison.Ordinal));
        lines = [.. lines.Select(WithoutDeliveryAttempts)];
        Assert.Contains(lines, l => l.Contains("\"webhook_deliveries\"", StringComparison.Ordinal) && !l.Contains("attempts", StringComparison.Ordinal));
        var target = await OpenFreshAsync();

        await target.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")), force: false, _none);

        Assert.Equal(await source.ListRunnersAsync(null, null, _none), await target.ListRunnersAsync(null, null, _none));
        Assert.Empty(await target.ListAdminRequestsAsync(_none));
        var restored = await target.GetDeliveryAsync("github", "d-1", _none);
        Assert.Equal((0, null, null, null), (restored!.Attempts, restored.NextAttemptAt, restored.LastFailure, restored.QuarantinedAt));
        var future = string.Join('\n', lines).Replace("\"schemaVersion\":1", $"\"schemaVersion\":{StoreSchema.CurrentVersion + 1}", StringComparison.Ordinal);
        var fresh = await OpenFreshAsync();
        var error = await Assert.ThrowsAsync<StateStoreException>(() => fresh.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(future)), force: true, _none));
        Assert.Contains($"schema {StoreSchema.CurrentVersion + 1} cannot be restored", error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Import_NonEmptyStoreWithoutForce_IsRefusedAndChangesNothing()
    {
        var source = await OpenAsync();
        await FillAsync(source);
        var backup = await ExportAsync(source);
        var target = await OpenFreshAsync();
        await Write(target, (w, ct) => w.UpsertRunnerAsync(NewRunner("drover-other-1"), "planned", ct));

        var error = await Assert.ThrowsAsync<StateStoreException>(() => target.ImportAsync(new MemoryStream(backup), force: false, _none));

        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
        Assert.Equal(["drover-other-1"], (await target.ListRunnersAsync(null, null, _none)).Select(r => r.Id));

        await target.ImportAsync(new MemoryStream(backup), force: true, _none);
        Assert.Equal(backup, await ExportAsync(target));
    }

    [StoreFact]
    public async Task Import_TruncatedOrInvalidBackup_IsRefusedAllOrNothing()
    {
        var store = await OpenAsync();
        await FillAsync(store);
        var backup = await ExportAsync(store);
        var lines = Encoding.UTF8.GetString(backup).TrimEnd('\n').Split('\n');
        var truncated = Encoding.UTF8.GetBytes(string.Join('\n', lines[..^1]) + "\n");
        var badColumn = Encoding.UTF8.GetBytes(string.Join('\n', lines).Replace("\"config_json\"", "\"colour\"", StringComparison.Ordinal));
        var notABackup = "{\"hello\":1}\n"u8.ToArray();

        foreach (var document in new[] { truncated, badColumn, notABackup })
        {
            await Assert.ThrowsAsync<StateStoreException>(() => store.ImportAsync(new MemoryStream(document), force: true, _none));
        }

        Assert.Equal(backup, await ExportAsync(store));
        Assert.Equal(RunnerState.Busy, (await store.GetRunnerAsync("drover-linux-x64-1", _none))!.State);
    }

    /// <summary>A webhook_deliveries line as a backup made before migration 4 had it.</summary>
    private static string WithoutDeliveryAttempts(string line)
    {
        if (!line.Contains("\"webhook_deliveries\"", StringComparison.Ordinal))
        {
            return line;
        }

        var node = System.Text.Json.Nodes.JsonNode.Parse(line)!;
        var row = node["row"]!.AsObject();
        foreach (var column in new[] { "attempts", "next_attempt_at", "last_failure", "quarantined_at" })
        {
            row.Remove(column);
        }

        return node.ToJsonString();
    }
}
