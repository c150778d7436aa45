using Drover.Core.Config;
using Drover.Core.Policies;

namespace Drover.Simulation.Demo;

/// <summary>The demo fleet (two simulated forges, one simulated provider, three pools), embedded in the assembly.</summary>
public static class DemoFleet
{
    /// <summary>The name errors and the dashboard show for the embedded file.</summary>
    public const string FileName = "demo-fleet.yaml";

    /// <summary>The YAML text of the demo fleet.</summary>
    public static string Yaml()
    {
        using var stream = typeof(DemoFleet).Assembly.GetManifestResourceStream("Drover.Simulation.Demo.demo-fleet.yaml")
            ?? throw new InvalidOperationException("the embedded demo fleet is missing from the Drover.Engine assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Loads and validates the demo fleet.</summary>
    public static FleetConfig Load()
    {
        var result = new FleetConfigLoader(FleetConfigValidationOptions.ForPolicies(PolicyRegistry.CreateDefault().Policies)).LoadFromString(Yaml(), FileName);
        return result.Config ?? throw new InvalidOperationException("the embedded demo fleet is invalid: " + string.Join("; ", result.Errors));
    }
}
