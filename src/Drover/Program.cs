using System.CommandLine;
using Drover.Cli;

var root = new RootCommand("Drover: one control plane for self-hosted GitHub Actions and GitLab CI runner fleets.");
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(TraceCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(BackupCommand.Create());
root.Subcommands.Add(RestoreCommand.Create());
root.Subcommands.Add(ProviderCommand.Create());
root.Subcommands.Add(CostCommand.Create());
var parse = root.Parse(args);
var invocation = new InvocationConfiguration();
if (ServeCommand.TerminationTimeout(parse) is { } termination)
{
    // serve stops gracefully on SIGTERM within its own shutdown timeout; the library's 2 s would cut its drain short.
    invocation.ProcessTerminationTimeout = termination;
}

return await parse.InvokeAsync(invocation);
