using System.CommandLine;

namespace Drover.Cli;

internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Fleet configuration (YAML)" };
        var command = new Command("validate", "Check a fleet configuration and report every problem with file, line and column.") { file };
        command.SetAction(parse => 0);
        return command;
    }
}
