using System.Diagnostics;

namespace Drover.Cli.Tests;

/// <summary>
/// <c>drover</c> as a .NET tool (README.md "Install"): the package <c>dotnet pack src/Drover</c> makes installs with
/// <c>dotnet tool install</c> from a folder alone (no other package source) and gives a working <c>drover</c> command.
/// Packs the drover build this test project already made (<c>--no-build</c>), so it takes seconds, not a rebuild.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan _limit = TimeSpan.FromSeconds(90);
    private readonly string _temp = Directory.CreateTempSubdirectory("drover-tool-").FullName;

    [Fact]
    public void PackedTool_InstallsFromTheFolder_AndRunsAsDrover()
    {
        var packages = Path.Combine(_temp, "packages");
        var tools = Path.Combine(_temp, "tools");
        // The configuration this test was built in (bin/<Configuration>/net10.0/), so --no-build finds drover's build.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        Run("dotnet", "pack", Path.Combine("src", "Drover", "Drover.csproj"), "-c", configuration, "--no-build", "--nologo", "-o", packages);
        Assert.Single(Directory.GetFiles(packages, "Drover.*.nupkg"));

        // Only the folder as a source: the package must carry everything drover needs.
        var config = Path.Combine(_temp, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        Run("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "Drover");

        var drover = Path.Combine(tools, "drover");
        Assert.True(File.Exists(drover), $"no drover command in {tools}");
        var (_, validate) = Run(drover, "validate", Path.Combine("examples", "fleet.yaml"));
        Assert.Contains("examples/fleet.yaml: valid", validate, StringComparison.Ordinal);
        var (_, help) = Run(drover, "--help");
        Assert.Contains("drover [command] [options]", help, StringComparison.Ordinal);
        Assert.Contains("serve", help, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static (int Exit, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = CliRunner.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(_limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {_limit.TotalSeconds} s");
        }

        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{error.Result}\n{output.Result}");
        return (process.ExitCode, output.Result);
    }
}
