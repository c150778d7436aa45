using System.CommandLine;

namespace Drover.Cli.Tests;

/// <summary>Runs one CLI command in-process with captured output, and finds the repository's files.</summary>
internal static class CliRunner
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static (int ExitCode, string Output, string Error) Run(Command command, params string[] args)
    {
        var root = new RootCommand("drover (test)");
        root.Subcommands.Add(command);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });

        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Starts a long-running command (e.g. <c>serve</c>) in the background; its output can be read while it runs.</summary>
    public static RunningCommand Start(Command command, params string[] args)
    {
        var root = new RootCommand("drover (test)");
        root.Subcommands.Add(command);
        var output = new StringWriter();
        var error = new StringWriter();
        var stop = new CancellationTokenSource();
        var (syncOutput, syncError) = (TextWriter.Synchronized(output), TextWriter.Synchronized(error));
        var configuration = new InvocationConfiguration { Output = syncOutput, Error = syncError };
        var run = Task.Run(() => root.Parse(args).InvokeAsync(configuration, stop.Token));
        return new RunningCommand(run, stop, (output, syncOutput), (error, syncError));
    }

    public static string Example(params string[] parts) => Path.Combine([RepositoryRoot, "examples", .. parts]);

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
    }
}
