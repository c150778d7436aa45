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
return await root.Parse(args).InvokeAsync();
