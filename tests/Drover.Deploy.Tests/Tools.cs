using System.Diagnostics;

namespace Drover.Deploy.Tests;

/// <summary>Runs the command-line tools the deployment tests check the manifests with.</summary>
internal static class Tools
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="program"/> and returns its standard output; fails the test with its error output on a non-zero exit.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var (exit, output, error) = Execute(program, arguments);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} exited {exit}:\n{error}\n{output}");
        return output;
    }

    /// <summary>Runs <paramref name="program"/>, expecting it to fail; returns its error output (the test fails if it exits 0).</summary>
    public static string RunFailing(string program, params string[] arguments)
    {
        var (exit, output, error) = Execute(program, arguments);
        Assert.True(exit != 0, $"{program} {string.Join(' ', arguments)} succeeded, expected a failure:\n{output}");
        return error;
    }

    private static (int Exit, string Output, string Error) Execute(string program, string[] arguments)
    {
        var path = Find(program) ?? throw new InvalidOperationException($"{program} is not on PATH");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), $"{program} did not finish within 60 s");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
    }
}
