namespace Drover.EndToEnd.Tests.Support;

/// <summary>
/// Tests that run <c>drover serve</c> in-process run one at a time: on a 2-core machine several servers, emulators
/// and dozens of stand-in runners at once would measure the machine, not Drover.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ServeCollection
{
    public const string Name = "drover serve";
}
