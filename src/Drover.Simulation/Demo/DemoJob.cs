namespace Drover.Simulation.Demo;

/// <summary>One replayed job: when it is released (real time), what it asks for and how long it runs (real time).</summary>
internal sealed record DemoJob(string Id, DateTimeOffset ReleaseAt, IReadOnlyList<string> Labels, string? Scope, TimeSpan Duration)
{
    /// <summary>The runner running it, once assigned.</summary>
    public string? Runner { get; set; }

    /// <summary>When it finishes, once assigned.</summary>
    public DateTimeOffset? EndsAt { get; set; }
}
