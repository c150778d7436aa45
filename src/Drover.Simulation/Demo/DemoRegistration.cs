namespace Drover.Simulation.Demo;

/// <summary>A runner registered with a simulated forge.</summary>
internal sealed class DemoRegistration(string id, string name, string pool, IReadOnlyList<string> labels, bool runUntagged, bool ephemeral, DateTimeOffset at)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    public string Pool { get; } = pool;

    public IReadOnlyList<string> Labels { get; } = labels;

    public bool RunUntagged { get; } = runUntagged;

    public bool Ephemeral { get; } = ephemeral;

    public DateTimeOffset RegisteredAt { get; } = at;

    public DemoJob? Job { get; set; }
}
