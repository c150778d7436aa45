using System.Globalization;
using Drover.Benchmarks.Scale;

namespace Drover.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Drover.Benchmarks -- scale steady [sqlite|postgres] [pools] [idle per pool] [seconds] [jobs per hour]</c>
/// , <c>-- scale burst [github|gitlab] [jobs] [window seconds] [maxConcurrentCreates]</c> and
/// <c>-- scale calls [repositories] [jobs per hour] [seconds] [webhooks|polling]</c>: the scale benchmark's parts (see
/// <see cref="SteadyState"/>, <see cref="GitHubBurst"/>, <see cref="GitLabBurst"/> and <see cref="GitHubCalls"/>). Loopback only, bounded by its arguments.
/// </summary>
internal static class ScaleRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var part = args.Length > 0 ? args[0] : "steady";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scale {part}: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
        switch (part)
        {
            case "steady":
                var options = new SteadyOptions
                {
                    Store = args.Length > 1 ? args[1] : "sqlite",
                    Pools = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000,
                    Idle = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10,
                    Measure = TimeSpan.FromSeconds(args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 60),
                    JobsPerHour = args.Length > 5 ? double.Parse(args[5], CultureInfo.InvariantCulture) : 1000,
                };
                Console.Write(await SteadyState.RunAsync(options with { Max = Math.Max(options.Max, options.Idle * 2) }, Console.Out, CancellationToken.None));
                return 0;
            case "burst":
                // scale burst [github|gitlab] [jobs] [window seconds] [maxConcurrentCreates]
                var gitlab = args.Length > 1 && args[1] == "gitlab";
                var at = args.Length > 1 && args[1] is "gitlab" or "github" ? 2 : 1;
                var burst = new BurstOptions
                {
                    Jobs = args.Length > at ? int.Parse(args[at], CultureInfo.InvariantCulture) : 1000,
                    Window = TimeSpan.FromSeconds(args.Length > at + 1 ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : 60),
                    MaxConcurrentCreates = args.Length > at + 2 ? int.Parse(args[at + 2], CultureInfo.InvariantCulture) : 10,
                };
                Console.Write(gitlab
                    ? await GitLabBurst.RunAsync(burst, Console.Out, CancellationToken.None)
                    : await GitHubBurst.RunAsync(burst, Console.Out, CancellationToken.None));
                return 0;
            case "calls":
                var repositories = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
                var perHour = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
                var slice = TimeSpan.FromSeconds(args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 180);
                var modes = args.Length > 4 ? [args[4] == "webhooks"] : new[] { true, false };
                foreach (var webhooks in modes)
                {
                    Console.Write(await GitHubCalls.RunAsync(repositories, perHour, slice, webhooks, CancellationToken.None));
                }

                return 0;
            default:
                Console.Error.WriteLine($"scale: unknown part '{part}'; the parts are: steady, burst, calls");
                return 2;
        }
    }
}
