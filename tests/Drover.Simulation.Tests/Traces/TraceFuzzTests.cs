using Drover.Simulation.Traces;
using Drover.Testing.Fuzz;

namespace Drover.Simulation.Tests.Traces;

/// <summary>
/// A fixed-seed slice of fuzzing: small traces of every format with random characters inserted, deleted and replaced
/// (digits, exponents, far dates, separators, quotes, odd Unicode) go through format detection and the reader. Only a
/// trace or a <see cref="TraceFormatException"/> naming the file may come out, never another exception.
/// <c>DROVER_FUZZ_INPUTS=N</c> runs N inputs per sample instead of the CI slice's 800.
/// </summary>
public sealed class TraceFuzzTests
{
    /// <summary>800 per sample in CI; <c>DROVER_FUZZ_INPUTS</c> sets the count per sample (the long form).</summary>
    private static int InputsPerSample => Fuzzer.Budget(800);

    private static readonly string[] _samples =
    [
        "# name: sample\n# note: n\nqueued_at,started_at,duration_s,labels,scope\n2024-03-04T09:00:00.000Z,2024-03-04T09:00:41.000Z,312.5,linux;x64,acme/api\n"
            + "2024-03-04T09:00:00.250Z,,95,gpu;linux,\"acme/ml, experimental\"\n1709542860,,1200,windows,\n",
        "bin_start,count\n2024-03-04T09:00:00Z,3\n2024-03-04T09:05:00Z,0\n2024-03-04T09:10:00Z,17\n2024-03-04T09:30:00Z,5\n",
        "bin_start_utc,completed_events_5min\n2024-01-01T00:00:00Z,4\n2024-01-01T00:05:00Z,2\n2024-01-01T00:10:00Z,0\n",
        "project,submit_ts,start_ts,end_ts,platform,os_name\nmozilla-central,1384300000,1384300010,1384300100,linux64,linux\n"
            + "mozilla-central,1384300005,1384300050,1384300500,osx-10-7,mac\n",
    ];

    private static readonly string[] _pieces =
    [
        "0", "9", "1e12", "e308", "-", "+", ".", "9999", "99999999999", "100000000", "2147483648", "NaN", "Infinity", "T", "Z", ":", "+14:00",
        ",", ";", "\"", "\"\"", "\n", "\r", "\r\n", "#", " ", "\t", "\0", "\u2028", "\u0085", "\ud800", "\uFEFF", "é", "\U0001F600",
        "queued_at", "count", "bin_start", "submit_ts",
    ];

    [Fact]
    public void Load_MutatedTraces_OnlyLocatedErrorsComeOut()
    {
        var random = new Random(20261207);
        var refused = 0;
        var loaded = 0;
        foreach (var sample in _samples)
        {
            for (var i = 0; i < InputsPerSample; i++)
            {
                var text = Fuzzer.MutateText(sample, random, _pieces, maxMutations: 3, replaceBelow: (char)0x80);
                try
                {
                    var format = TraceReader.DetectFormat(new StringReader(text), "fuzz.csv");
                    TraceReader.Load(new StringReader(text), "fuzz.csv", format, new TraceLoadOptions { Seed = i });
                    loaded++;
                }
                catch (TraceFormatException e)
                {
                    Assert.True(e.File == "fuzz.csv" && (e.Line >= 1 || e.Problem.StartsWith("the file is empty", StringComparison.Ordinal)), $"unlocated: {e.Message}\n--- input ---\n{text}");
                    refused++;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Assert.Fail($"threw {e.GetType().Name}: {e.Message}\n--- input ---\n{text}");
                }
            }
        }

        Assert.True(refused > 0 && loaded > 0, $"{refused} refused, {loaded} loaded: the mutations must reach both outcomes");
    }

}
