using BenchmarkDotNet.Running;
using Drover.Benchmarks;

if (args.Length > 0 && args[0] == "year")
{
    YearRun.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "scale")
{
    Environment.Exit(await ScaleRun.RunAsync(args[1..]));
}

if (args.Length > 0 && args[0] == "ingest")
{
    Environment.Exit(await IngestRun.RunAsync(args[1..]));
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
