using BenchmarkDotNet.Attributes;
using Drover.Simulation.Traces;

namespace Drover.Benchmarks;

/// <summary>
/// Loading the year-long conda-forge trace (1,045,475 jobs): the importer from the 5-minute series, and the
/// same trace read back from a job CSV. Without <c>../shared</c> the benchmarks report that and do nothing.
/// </summary>
[MemoryDiagnoser]
public class TraceLoadBenchmarks
{
    private const string CondaForge = "conda-forge-github-actions-2024.csv";

    private string? _seriesPath;
    private string? _jobCsvPath;

    [GlobalSetup]
    public void Setup()
    {
        _seriesPath = SharedTraces.Find(CondaForge);
        if (_seriesPath is null)
        {
            Console.WriteLine($"// {CondaForge} not found in ../shared/data/traces: trace load benchmarks measure nothing");
            return;
        }

        _jobCsvPath = Path.Combine(Path.GetTempPath(), $"drover-bench-{Guid.NewGuid():N}.csv");
        JobCsv.Write(TraceReader.Load(_seriesPath), _jobCsvPath);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_jobCsvPath is not null)
        {
            File.Delete(_jobCsvPath);
        }
    }

    [Benchmark(Baseline = true)]
    public int LoadCondaForgeSeries() => _seriesPath is null ? 0 : TraceReader.Load(_seriesPath).Count;

    [Benchmark]
    public int ReadCondaForgeJobCsv() => _jobCsvPath is null ? 0 : TraceReader.Load(_jobCsvPath).Count;
}
