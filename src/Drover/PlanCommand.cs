using System.CommandLine;

namespace Drover.Cli;

internal static class PlanCommand
{
    public static Command Create()
    {
        var command = new Command("plan", "Show what Drover would do next for a fleet configuration and an observed state.");
        command.SetAction(parse => 0);
        return command;
    }
}
