using System.CommandLine;
using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Storage.Snapshot;

namespace Drover.Cli;

internal static class RestoreCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "State store to restore into, which must exist unless --create: sqlite:PATH or postgres:CONNSTR", Required = true };
        var from = new Option<FileInfo>("--from") { Description = "Backup file written by drover backup", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the content of a store that already holds data" };
        var create = new Option<bool>("--create") { Description = "Create the SQLite file if it does not exist (a PostgreSQL database is never created)" };
        var command = new Command("restore", "Replace the state store's content with a backup, all or nothing.") { store, from, force, create };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(from)!;
            try
            {
                await BackupFile.RestoreAsync(parse.GetValue(store)!, file.FullName, parse.GetValue(force), parse.GetValue(create), ct);
                parse.InvocationConfiguration.Output.WriteLine($"restore: restored {file}");
                return 0;
            }
            catch (AdapterConfigurationException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"restore: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is StateStoreException or IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"restore: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
