using System.CommandLine;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Providers.External;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Cli;

/// <summary><c>drover provider test</c>: the contract suite of an external provider, run against the real executable.</summary>
internal static class ProviderCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "Fleet configuration (YAML) that declares the provider", Required = true };
        var provider = new Option<string>("--provider", "-p") { Description = "The provider's name in the configuration (type external)", Required = true };
        var pool = new Option<string?>("--pool") { Description = "The pool whose template and id the test instances get (default: the first pool on the provider)" };
        var test = new Command(
            "test",
            "Run the external provider contract suite (create, get, list by pool, delete, idempotent delete, remove-all, bad input) against a configured provider. " +
            "It creates and deletes real instances. Exit 0: all passed; 1: a check failed; 2: configuration or environment error.")
        {
            config, provider, pool,
        };
        test.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(config)!.ToString();
            var name = parse.GetValue(provider)!;
            var result = new FleetConfigLoader(Adapters.ValidationOptions()).LoadFromFile(path);
            if (result.Config is not { } fleet)
            {
                foreach (var problem in result.Errors)
                {
                    error.WriteLine(problem.ToString());
                }

                return 2;
            }

            var chosen = fleet.FindProvider(name);
            if (chosen is null)
            {
                error.WriteLine($"provider test: {path} declares no provider '{name}'; it declares: {string.Join(", ", fleet.Providers.Select(p => p.Name))}");
                return 2;
            }

            if (chosen.Type != "external")
            {
                error.WriteLine($"provider test: provider '{name}' is of type {chosen.Type}; the contract suite tests external (GARM interface) providers");
                return 2;
            }

            if (parse.GetValue(pool) is { } poolName && fleet.FindPool(poolName) is null)
            {
                error.WriteLine($"provider test: {path} declares no pool '{poolName}'");
                return 2;
            }

            try
            {
                var context = new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, NullLoggerFactory.Instance);
                var failed = await ExternalContractSuite.RunAsync(chosen, context, parse.GetValue(pool), output, cancellationToken).ConfigureAwait(false);
                return failed == 0 ? 0 : 1;
            }
            catch (AdapterConfigurationException e)
            {
                error.WriteLine($"provider test: {e.Message}");
                return 2;
            }
        });
        return new Command("provider", "Work with providers.") { test };
    }
}
