using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drover.Testing.Ldap;

/// <summary>
/// A real OpenLDAP server (Debian package <c>slapd</c>) for tests: writes a <c>slapd.conf</c> (MDB database, the
/// <c>memberof</c> overlay, schemas core/cosine/inetorgperson) into a temp directory, loads <see cref="Ldif"/> with
/// <c>slapadd</c>, and runs <c>slapd -h ldap://127.0.0.1:PORT -f slapd.conf -d 0</c> on a free port as a child process
/// (never the package's own daemon). <see cref="StopAsync"/> kills it; dispose removes everything.
/// </summary>
/// <remarks>
/// The directory: <c>dc=drover,dc=test</c>; the service account <see cref="ServiceDn"/> (password
/// <see cref="ServicePassword"/>) that Drover binds as; users under <see cref="PeopleBase"/> and groups
/// (<c>groupOfNames</c>, with the users' <c>memberOf</c> written alike) under <see cref="GroupsBase"/>:
/// alice ∈ sre, bob ∈ engineering, carol ∈ drover-admins, mallory ∈ marketing, and <c>dan*(ops)</c> (a uid with filter
/// metacharacters) ∈ sre.
/// </remarks>
public sealed class SlapdServer : IAsyncDisposable
{
    public const string SlapdPath = "/usr/sbin/slapd";
    public const string SlapaddPath = "/usr/sbin/slapadd";
    public const string Suffix = "dc=drover,dc=test";
    public const string PeopleBase = "ou=people," + Suffix;
    public const string GroupsBase = "ou=groups," + Suffix;
    public const string ServiceDn = "cn=drover,ou=services," + Suffix;
    public const string ServicePassword = "drover-bind-password-value";

    /// <summary>A user whose uid holds every RFC 4515 metacharacter Drover escapes but NUL.</summary>
    public const string MetacharacterUser = "dan*(ops)\\";

    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private SlapdServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    /// <summary>True when slapd and slapadd are installed.</summary>
    public static bool Installed => File.Exists(SlapdPath) && File.Exists(SlapaddPath);

    /// <summary>The port slapd listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary><c>ldap://127.0.0.1:PORT</c>.</summary>
    public Uri Url => new($"ldap://127.0.0.1:{Port}");

    /// <summary>True while the slapd process runs.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>The directory's content.</summary>
    public static string Ldif { get; } = BuildLdif();

    /// <summary>Writes the configuration, loads <see cref="Ldif"/> and starts slapd; throws with slapd's output when it cannot.</summary>
    public static async Task<SlapdServer> StartAsync()
    {
        if (!Installed)
        {
            throw new InvalidOperationException($"{SlapdPath} is not installed (Debian packages 'slapd' and 'ldap-utils'; scripts/test.sh installs them)");
        }

        var directory = Directory.CreateTempSubdirectory("drover-slapd-").FullName;
        var server = new SlapdServer(directory, FreePort());
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "db"));
            await File.WriteAllTextAsync(server.ConfigPath, server.Config());
            await File.WriteAllTextAsync(Path.Combine(directory, "data.ldif"), Ldif);
            var (exit, output) = await RunAsync(SlapaddPath, "-f", server.ConfigPath, "-l", Path.Combine(directory, "data.ldif"));
            if (exit != 0)
            {
                throw new InvalidOperationException($"slapadd exited {exit}: {output}");
            }

            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts slapd (again) on the same port and data; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (Running)
        {
            return;
        }

        var start = new ProcessStartInfo(SlapdPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-h", Url.ToString().TrimEnd('/'), "-f", ConfigPath, "-d", "0" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("slapd did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"slapd exited {process.ExitCode} at start: {Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"slapd did not listen on 127.0.0.1:{Port} within 20 s: {Output}");
    }

    /// <summary>Kills slapd (the directory becomes unreachable); its data stays for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    /// <summary>What slapd printed (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }

    private string ConfigPath => Path.Combine(_directory, "slapd.conf");

    private string Config() => $"""
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/inetorgperson.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        moduleload memberof
        pidfile {_directory}/slapd.pid
        argsfile {_directory}/slapd.args
        database mdb
        suffix "{Suffix}"
        rootdn "cn=admin,{Suffix}"
        directory {_directory}/db
        maxsize 10485760
        access to attrs=userPassword by anonymous auth by * none
        access to * by users read by * none
        overlay memberof

        """;

    private static string BuildLdif()
    {
        var ldif = new StringBuilder();
        void Entry(string text) => ldif.Append(text.Trim()).Append("\n\n");
        Entry($"dn: {Suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: drover\no: Drover test");
        foreach (var ou in new[] { "people", "groups", "services" })
        {
            Entry($"dn: ou={ou},{Suffix}\nobjectClass: organizationalUnit\nou: {ou}");
        }

        Entry($"dn: {ServiceDn}\nobjectClass: person\nobjectClass: simpleSecurityObject\ncn: drover\nsn: service\nuserPassword: {ServicePassword}");
        (string Cn, string Uid, string Group)[] users =
        [
            ("alice", "alice", "sre"), ("bob", "bob", "engineering"), ("carol", "carol", "drover-admins"),
            ("mallory", "mallory", "marketing"), ("dan", MetacharacterUser, "sre"),
        ];
        foreach (var (cn, uid, group) in users)
        {
            Entry($"dn: cn={cn},{PeopleBase}\nobjectClass: inetOrgPerson\ncn: {cn}\nsn: {cn}\nuid: {uid}\nmemberOf: cn={group},{GroupsBase}");
        }

        foreach (var group in users.Select(u => u.Group).Distinct())
        {
            var members = string.Concat(users.Where(u => u.Group == group).Select(u => $"\nmember: cn={u.Cn},{PeopleBase}"));
            Entry($"dn: cn={group},{GroupsBase}\nobjectClass: groupOfNames\ncn: {group}{members}");
        }

        return ldif.ToString();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
