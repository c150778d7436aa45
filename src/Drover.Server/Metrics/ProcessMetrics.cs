using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Drover.Server.Metrics;

/// <summary>
/// Process and .NET runtime instruments under the names Prometheus client libraries use (<c>process_*</c>,
/// <c>dotnet_*</c>), read when scraped. Added to Drover's meter, so <c>GET /metrics</c> carries them next to Drover's own.
/// </summary>
internal static class ProcessMetrics
{
    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    public static void Register(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        double started;
        using (var process = Process.GetCurrentProcess())
        {
            started = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        }

        meter.CreateObservableCounter("process_cpu_seconds_total", () => Environment.CpuUsage.TotalTime.TotalSeconds, "s", "User and system CPU time spent by the process");
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, "By", "Resident memory of the process");
        meter.CreateObservableGauge("process_start_time_seconds", () => started, "s", "Start time of the process since the Unix epoch");
        meter.CreateObservableGauge("process_open_fds", ObserveOpenFiles, null, "Open file descriptors of the process (Linux)");
        meter.CreateObservableCounter("dotnet_gc_collections_total", ObserveCollections, null, "Garbage collections by generation");
        meter.CreateObservableGauge("dotnet_gc_heap_bytes", () => GC.GetTotalMemory(false), "By", "Bytes the garbage collector holds allocated");
        meter.CreateObservableCounter("dotnet_gc_pause_seconds_total", () => GC.GetTotalPauseDuration().TotalSeconds, "s", "Time the garbage collector paused the process");
        meter.CreateObservableGauge("dotnet_threadpool_threads", () => ThreadPool.ThreadCount, null, "Thread pool threads");
        meter.CreateObservableGauge("dotnet_threadpool_queue_length", () => ThreadPool.PendingWorkItemCount, null, "Work items queued to the thread pool");
    }

    private static IEnumerable<Measurement<long>> ObserveCollections()
    {
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            yield return new Measurement<long>(GC.CollectionCount(generation), new KeyValuePair<string, object?>("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static IEnumerable<Measurement<int>> ObserveOpenFiles()
    {
        const string fds = "/proc/self/fd";
        if (!Directory.Exists(fds))
        {
            yield break;
        }

        yield return new Measurement<int>(Directory.EnumerateFileSystemEntries(fds).Count());
    }
}
