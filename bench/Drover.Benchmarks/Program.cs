using BenchmarkDotNet.Running;
using Drover.Benchmarks;

if (args.Length > 0 && args[0] == "year")
{
    YearRun.Run(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
