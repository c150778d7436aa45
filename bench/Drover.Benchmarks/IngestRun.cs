using System.Globalization;

namespace Drover.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Drover.Benchmarks -- ingest [seconds] [concurrency]</c>: webhook ingest on
/// loopback with SQLite (see <see cref="IngestLoad"/>). Exits 1 when a delivery answered 202 is missing from the store.
/// </summary>
internal static class IngestRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 60;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest: {seconds}s, {concurrency} connections, SQLite, {Environment.ProcessorCount} cores"));
        var result = await IngestLoad.RunAsync(new IngestOptions { Duration = TimeSpan.FromSeconds(seconds), Concurrency = concurrency }, CancellationToken.None);
        Console.WriteLine(result);
        if (result.Stored != result.Accepted)
        {
            Console.Error.WriteLine($"ingest: {result.Accepted - result.Stored} accepted deliveries are missing from the store");
            return 1;
        }

        return 0;
    }
}
