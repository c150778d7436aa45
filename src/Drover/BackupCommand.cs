using System.CommandLine;
using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Storage;
using Drover.Storage.Snapshot;

namespace Drover.Cli;

internal static class BackupCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "State store to back up, which must exist: sqlite:PATH or postgres:CONNSTR", Required = true };
        var to = new Option<FileInfo>("--to") { Description = "Backup file to write (JSON lines)", Required = true };
        var command = new Command("backup", "Write a consistent snapshot of an existing state store to a file.") { store, to };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(to)!;
            try
            {
                await using var opened = await StateStoreFactory.OpenAsync(parse.GetValue(store)!, StoreOpenMode.ExistingWithSchema, ct);
                var bytes = await BackupFile.WriteAsync(opened, file.FullName, ct);
                parse.InvocationConfiguration.Output.WriteLine($"backup: wrote {file} ({bytes} bytes)");
                return 0;
            }
            catch (AdapterConfigurationException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"backup: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is StateStoreException or IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"backup: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
