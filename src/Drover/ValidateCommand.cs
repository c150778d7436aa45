using System.CommandLine;
using Drover.Core.Config;
using Drover.Core.Policies;

namespace Drover.Cli;

internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Fleet configuration (YAML)" };
        var command = new Command("validate", "Check a fleet configuration and report every problem with file, line and column (exit 2 when there is one).") { file };
        command.SetAction(parse =>
        {
            var info = parse.GetValue(file);
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (info is null)
            {
                error.WriteLine("validate: a configuration file is required");
                return 1;
            }

            // FileInfo.ToString() is the path as typed, which is what the user wants to see in messages.
            var result = new FleetConfigLoader(Adapters.ValidationOptions()).LoadFromFile(info.ToString());
            foreach (var warning in result.Warnings)
            {
                error.WriteLine($"warning: {warning}");
            }

            if (result.Config is null)
            {
                foreach (var problem in result.Errors)
                {
                    error.WriteLine(problem.ToString());
                }

                return 2;
            }

            output.WriteLine(Summary(info.ToString(), result.Config));
            return 0;
        });
        return command;
    }

    private static string Summary(string path, FleetConfig config) =>
        $"{path}: valid — {Count(config.Forges.Count, "forge")}, {Count(config.Providers.Count, "provider")}, {Count(config.Pools.Count, "pool")}";

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
