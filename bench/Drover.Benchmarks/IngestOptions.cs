namespace Drover.Benchmarks;

/// <summary>How long and how hard <see cref="IngestLoad"/> drives webhook ingest.</summary>
public sealed record IngestOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public int Concurrency { get; init; } = 16;

    /// <summary>A hard cap on requests, whatever the duration.</summary>
    public long MaxRequests { get; init; } = 2_000_000;
}
