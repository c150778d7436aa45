namespace Drover.Simulation.Traces;

/// <summary>The trace files <see cref="TraceReader"/> recognises by their header.</summary>
public enum TraceFormat
{
    /// <summary><c>queued_at,started_at,duration_s,labels,scope</c>: one row per job.</summary>
    JobCsv,

    /// <summary><c>bin_start,count</c>: jobs per time bin, expanded with synthetic durations.</summary>
    RateSeries,

    /// <summary><c>bin_start_utc,completed_events_5min</c>: conda-forge's completed GitHub Actions jobs per 5 minutes.</summary>
    CondaForge,

    /// <summary>Mozilla treeherder job export with <c>submit_ts,start_ts,end_ts</c>.</summary>
    Treeherder,
}
