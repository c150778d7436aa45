using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drover.Testing;

namespace Drover.Cli.Tests;

/// <summary>
/// <c>drover serve --log-format</c> and <c>--log-level</c> as a user runs them: the real executable in its own process,
/// its standard output read as a log collector would.
/// </summary>
public sealed partial class ServeLoggingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-logs-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The killed server's SQLite file may still be closing.
        }
    }

    [Fact]
    public async Task Serve_LogFormatJsonAtDebug_EveryLogLineIsAJsonObjectWithLevelCategoryAndMessage()
    {
        var lines = await ServeAsync("--log-format", "json", "--log-level", "debug");

        var records = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(records, r => r.GetProperty("Category").GetString() == "Drover.Leadership" && r.GetProperty("LogLevel").GetString() == "Information");
        Assert.Contains(records, r => r.GetProperty("LogLevel").GetString() == "Debug");
        Assert.All(records, r => Assert.EndsWith("Z", r.GetProperty("Timestamp").GetString(), StringComparison.Ordinal));
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("Message").GetString())));
        // Besides the records, only the command's own lines (what it serves, where the dashboard is).
        Assert.All(lines.Where(l => !l.StartsWith('{')), l => Assert.DoesNotMatch(TextRecord(), l));
    }

    [Fact]
    public async Task Serve_TextAtWarning_NoInformationRecords()
    {
        var text = await ServeAsync("--log-level", "information");
        Assert.Contains(text, l => TextRecord().IsMatch(l) && l.Contains(" info: Drover.Leadership", StringComparison.Ordinal));

        var quiet = await ServeAsync("--log-format", "text", "--log-level", "warning");
        Assert.Contains(quiet, l => l.StartsWith("dashboard: ", StringComparison.Ordinal));
        Assert.DoesNotContain(quiet, l => l.Contains(" info: ", StringComparison.Ordinal) || l.Contains(" dbug: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Serve_UnknownLogLevel_RefusedNamingTheChoices()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--log-level", "loud");

        Assert.NotEqual(0, exit);
        Assert.Contains("'loud'", error, StringComparison.Ordinal);
        Assert.Contains("warning", error, StringComparison.Ordinal);
    }

    /// <summary>Runs the demo with <paramref name="arguments"/> until it has printed its dashboard line and led once, then ends it.</summary>
    private async Task<List<string>> ServeAsync(params string[] arguments)
    {
        var store = Path.Combine(_directory, $"{Guid.NewGuid():N}.db");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "drover.dll"), "serve", "--store", "sqlite:" + store, "--urls", "http://127.0.0.1:0", "--backup-every", "0", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var lines = new ConcurrentQueue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.ThatAsync(
                () => lines.ToList(),
                printed => printed.Any(l => l.StartsWith("dashboard: ", StringComparison.Ordinal)) && (process.HasExited || printed.Any(l => l.Contains("Became leader", StringComparison.Ordinal)) || arguments.Contains("warning")),
                "the dashboard line and the first election",
                printed => string.Join('\n', printed),
                TimeSpan.FromSeconds(30));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        return [.. lines];
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): \S+\[\d+\] ")]
    private static partial Regex TextRecord();
}
