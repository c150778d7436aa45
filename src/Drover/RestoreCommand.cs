using System.CommandLine;
using Drover.Core.Ports;
using Drover.Storage;

namespace Drover.Cli;

internal static class RestoreCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "State store: sqlite:PATH or postgres:CONNSTR", Required = true };
        var from = new Option<FileInfo>("--from") { Description = "Backup file written by drover backup", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the content of a store that already holds data" };
        var command = new Command("restore", "Replace the state store's content with a backup, all or nothing.") { store, from, force };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(from)!;
            if (!file.Exists)
            {
                parse.InvocationConfiguration.Error.WriteLine($"restore: {file}: file not found");
                return 1;
            }

            try
            {
                await using var opened = await StateStoreFactory.OpenAsync(parse.GetValue(store)!, ct);
                await using var stream = file.OpenRead();
                await opened.ImportAsync(stream, parse.GetValue(force), ct);
                parse.InvocationConfiguration.Output.WriteLine($"restore: restored {file}");
                return 0;
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
