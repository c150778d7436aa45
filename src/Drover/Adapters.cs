using Drover.Engine.Execution;

namespace Drover.Cli;

/// <summary>
/// The composition root of the adapters: every provider type and forge kind this build of <c>drover serve</c> can run.
/// A fleet whose providers are all <c>simulated</c> runs in the simulated world and needs none of these.
/// </summary>
internal static class Adapters
{
    public static AdapterCatalog Catalog() => new();
}
