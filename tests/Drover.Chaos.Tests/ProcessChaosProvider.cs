using System.Diagnostics;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Serve;

namespace Drover.Chaos.Tests;

/// <summary>
/// The <c>process</c> provider in a chaos run: each runner is a stand-in runner process carrying the run's marker on its
/// command line, found in /proc whoever started it; a spot interruption SIGKILLs the runner program. The provider has no
/// API to fault.
/// </summary>
internal sealed class ProcessChaosProvider(string marker, GitHubEmulator forge, TempDirectory directory) : IChaosProvider
{
    /// <inheritdoc/>
    public string Name => "local";

    /// <inheritdoc/>
    public string Noun => "runner process";

    /// <inheritdoc/>
    public string Nouns => "runner processes";

    /// <inheritdoc/>
    public string ProviderYaml => $$"""
          - name: {{Name}}
            type: process
            settings:
              command: dotnet "{{Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll")}}"
              args: [{{marker}}]
              workRoot: "{{directory.File("runners")}}"
              maxConcurrent: "8"
        """;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int> FaultsInjected { get; } = new Dictionary<string, int>();

    /// <inheritdoc/>
    public int ApiCalls => 0;

    /// <inheritdoc/>
    public IReadOnlyList<string> ApiRequests() => [];

    /// <inheritdoc/>
    public int Running() => RunnerProcesses.Runners(marker).Count;

    /// <inheritdoc/>
    /// <remarks>A process belongs to the runner of its work directory, and to the runner that opened a session from its pid.</remarks>
    public IReadOnlyList<ChaosInstance> Instances()
    {
        var sessions = forge.Sessions;
        return [.. RunnerProcesses.WithMarker(marker).Select(p => new ChaosInstance(
            $"pid {p.ProcessId} ({p.RunnerName ?? "?"})",
            [.. sessions.Where(s => s.ProcessId == p.ProcessId).Select(s => s.RunnerName).Append(p.RunnerName).OfType<string>().Distinct(StringComparer.Ordinal)]))];
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> LeftObjects() => [];

    /// <inheritdoc/>
    /// <remarks>Each stand-in runner reports its pid to the emulator: one runner name, one process.</remarks>
    public IReadOnlyList<string> Duplicates() =>
        [.. forge.Sessions.GroupBy(s => s.RunnerName, StringComparer.Ordinal).Where(g => g.Select(s => s.ProcessId).Distinct().Count() > 1)
            .Select(g => $"runner {g.Key} ran in {g.Select(s => s.ProcessId).Distinct().Count()} processes ({string.Join(", ", g.Select(s => s.ProcessId))})")];

    /// <inheritdoc/>
    /// <remarks>The runner program is killed, as the kernel's OOM killer or an operator would kill it (not its launcher).</remarks>
    public string? Interrupt(string runner)
    {
        if (RunnerProcesses.RunnerProgram(marker, runner) is not { } process)
        {
            return null;
        }

        try
        {
            using var victim = Process.GetProcessById(process.ProcessId);
            victim.Kill();
            return $"pid {process.ProcessId} killed";
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public void StopFaults()
    {
    }

    /// <inheritdoc/>
    /// <remarks>Whatever the run left running is ended here, after it was counted, so runs do not leak into each other.</remarks>
    public ValueTask DisposeAsync()
    {
        RunnerProcesses.KillAll(marker);
        return ValueTask.CompletedTask;
    }
}
