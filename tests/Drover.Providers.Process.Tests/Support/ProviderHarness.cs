using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Providers.Process.Tests.Support;

/// <summary>
/// A process provider over a temporary work root. Disposing it disposes the provider (killing what is left) and then
/// checks that no process any test command reported (<see cref="Track"/>) or the provider started is still running.
/// </summary>
internal sealed class ProviderHarness : IAsyncDisposable
{
    private readonly List<int> _pids = [];
    private readonly List<ProcessProvider> _reopened = [];

    public ProviderHarness(IReadOnlyDictionary<string, string> settings, TimeProvider? time = null)
    {
        WorkRoot = Directory.CreateTempSubdirectory("drover-process-").FullName;
        var all = new Dictionary<string, string>(settings, StringComparer.Ordinal);
        all.TryAdd("workRoot", WorkRoot);
        Config = new ProviderConfig { Name = "local", Type = "process", Settings = all };
        Time = time ?? TimeProvider.System;
        var fleet = new FleetConfig { Providers = [Config] };
        Provider = (ProcessProvider)ProcessProviderFactory.Create(Config, new AdapterContext(fleet, Vault, Time, Logger));
    }

    public string WorkRoot { get; }

    public ProviderConfig Config { get; }

    public TimeProvider Time { get; }

    public RunnerCredentialVault Vault { get; } = new();

    public ListLogger Logger { get; } = new();

    public ProcessProvider Provider { get; }

    public static FakeTimeProvider FakeTime() => new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public string RunnerDir(string name) => Path.Combine(WorkRoot, name);

    /// <summary>
    /// A second provider over the same work root and state directory, as a restarted Drover process builds it (the
    /// first one is left as it is, like a process that was killed); disposed with the harness.
    /// </summary>
    public ProcessProvider Reopen()
    {
        // A restart: the instances so far stop acting on their runners' exits, as a dead process would (otherwise one
        // would write back the record of a runner the new instance deleted, seeing it killed by someone else).
        Provider.Detach();
        foreach (var earlier in _reopened)
        {
            earlier.Detach();
        }

        var fleet = new FleetConfig { Providers = [Config] };
        var provider = (ProcessProvider)ProcessProviderFactory.Create(Config, new AdapterContext(fleet, Vault, Time, Logger));
        _reopened.Add(provider);
        return provider;
    }

    /// <summary>A create request for <paramref name="name"/> whose credential waits in the vault.</summary>
    public InstanceRequest Request(string name, string secret, string kind = "jit-config", string pool = "linux") =>
        new(pool, name, new InstanceTemplate(), Vault.Put(name, new RunnerCredential(kind, secret)));

    /// <summary>Creates a runner and remembers its process id for the final check.</summary>
    public async Task<string> CreateAsync(string name, string secret, string kind = "jit-config")
    {
        var id = await Provider.CreateAsync(Request(name, secret, kind), CancellationToken.None);
        if (Provider.ProcessId(id) is { } pid)
        {
            Track(pid);
        }

        return id;
    }

    /// <summary>Remembers a process id that must be gone when the test ends.</summary>
    public void Track(int pid)
    {
        lock (_pids)
        {
            _pids.Add(pid);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var reopened in _reopened)
        {
            await reopened.DisposeAsync();
        }

        await Provider.DisposeAsync();
        int[] pids;
        lock (_pids)
        {
            pids = [.. _pids];
        }

        await Eventually.TrueAsync(() => pids.All(p => !Processes.IsAlive(p)), "every process of the test has ended", TimeSpan.FromSeconds(10), seen: () => "alive: " + string.Join(", ", pids.Where(Processes.IsAlive)));
        try
        {
            Directory.Delete(WorkRoot, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp directory.
        }
    }
}
