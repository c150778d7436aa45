using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Drover.Testing.Postgres;

/// <summary>
/// A throw-away PostgreSQL server for one test run: initdb into a temp directory, start on a free
/// loopback port with its socket in that directory, one database per test, stopped and deleted on dispose.
/// PostgreSQL refuses to run as root, so as root the programs run as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string User = "drover";

    private string? _directory;
    private int _port;
    private int _databases;

    /// <summary>Why there is no server (binaries missing outside CI); null while it runs.</summary>
    public string? UnavailableReason { get; private set; }

    public async Task InitializeAsync()
    {
        if (PostgresBinaries.BinDirectory is not { } bin)
        {
            if (PostgresBinaries.Required)
            {
                throw new InvalidOperationException(PostgresBinaries.MissingMessage);
            }

            UnavailableReason = PostgresBinaries.MissingMessage;
            return;
        }

        _directory = Directory.CreateTempSubdirectory("drover-pg-").FullName;
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres", _directory]);
        }

        _port = FreePort();
        var data = Path.Combine(_directory, "data");
        await RunAsPostgresAsync($"'{bin}/initdb' -D '{data}' -A trust -U {User} -N > '{_directory}/initdb.out' 2>&1");
        await StartServerAsync(bin);
    }

    /// <summary>
    /// Restarts the server as a crash would: stopped at once (<c>-m immediate</c>: every connection cut, no checkpoint),
    /// down for <paramref name="down"/>, started again on the same port with the same data (crash recovery).
    /// </summary>
    public async Task RestartAsync(TimeSpan down)
    {
        if (_directory is null || PostgresBinaries.BinDirectory is not { } bin)
        {
            throw new InvalidOperationException(UnavailableReason ?? "the server is not running");
        }

        await RunAsPostgresAsync($"'{bin}/pg_ctl' -D '{_directory}/data' -m immediate -w stop >> '{_directory}/pg_ctl.out' 2>&1");
        await Task.Delay(down);
        await StartServerAsync(bin);
    }

    private Task StartServerAsync(string bin) =>
        RunAsPostgresAsync(
            $"'{bin}/pg_ctl' -D '{Path.Combine(_directory!, "data")}' -l '{_directory}/server.log' -w -t 60 " +
            $"-o \"-p {_port} -k '{_directory}' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start >> '{_directory}/pg_ctl.out' 2>&1");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..24];
        await using (var admin = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public async Task DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        if (PostgresBinaries.BinDirectory is { } bin && Directory.Exists(Path.Combine(_directory, "data")))
        {
            await RunAsPostgresAsync($"'{bin}/pg_ctl' -D '{_directory}/data' -m immediate -w stop > /dev/null 2>&1");
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Username={User};Database={database};Pooling=true;Timeout=30;Command Timeout=60";

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private Task RunAsPostgresAsync(string shellCommand) =>
        IsRoot ? RunAsync("su", ["postgres", "-c", shellCommand]) : RunAsync("/bin/sh", ["-c", shellCommand]);

    private async Task RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var logs = _directory is null
                ? string.Empty
                : string.Join("\n", Directory.GetFiles(_directory, "*.out").Concat(Directory.GetFiles(_directory, "*.log")).Select(File.ReadAllText));
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}\n{logs}");
        }
    }
}
