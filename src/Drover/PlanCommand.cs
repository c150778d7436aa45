using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Policies;

namespace Drover.Cli;

internal static class PlanCommand
{
    public static Command Create(TimeProvider? time = null)
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "Fleet configuration (YAML)", Required = true };
        var state = new Option<FileInfo?>("--state", "-s") { Description = "Observed state (JSON, see docs/state-file.md); empty when omitted" };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON for machines" };
        var now = new Option<string?>("--now") { Description = "Plan as of this instant (ISO 8601); default: the state file's observedAt, else the current time" };
        var command = new Command("plan", "Show what Drover would do next for a fleet configuration and an observed state.") { config, state, json, now };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return Run(parse.GetValue(config)!, parse.GetValue(state), parse.GetValue(json), parse.GetValue(now), time ?? TimeProvider.System, output, error);
        });
        return command;
    }

    private static int Run(FileInfo configFile, FileInfo? stateFile, bool asJson, string? nowText, TimeProvider time, TextWriter output, TextWriter error)
    {
        var registry = PolicyRegistry.CreateDefault();
        var loaded = new FleetConfigLoader(Adapters.ValidationOptions()).LoadFromFile(configFile.ToString());
        if (loaded.Config is null)
        {
            foreach (var problem in loaded.Errors)
            {
                error.WriteLine(problem.ToString());
            }

            return 2;
        }

        StateFile observed;
        try
        {
            observed = stateFile is null ? new StateFile() : StateFile.Load(stateFile.ToString());
        }
        catch (StateFileException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
        catch (IOException e)
        {
            error.WriteLine($"{stateFile}: {e.Message}");
            return 1;
        }

        DateTimeOffset at;
        if (nowText is not null)
        {
            if (!DateTimeOffset.TryParse(nowText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
            {
                error.WriteLine($"--now: '{nowText}' is not an ISO 8601 instant (e.g. 2026-11-23T12:00:00Z)");
                return 1;
            }
        }
        else
        {
            at = observed.ObservedAt ?? time.GetUtcNow();
        }

        var ledger = new JobLedger();
        foreach (var jobEvent in observed.JobEvents)
        {
            ledger.Apply(jobEvent);
        }

        ledger.ExpireStale(at, loaded.Config.StaleJobAge);
        var plan = new Planner(registry).Plan(loaded.Config, observed.ToObservedState(), ledger, at);
        output.Write(asJson ? JsonSerializer.Serialize(plan, StateFile.Options) + Environment.NewLine : PlanRenderer.Render(plan));
        return 0;
    }
}
