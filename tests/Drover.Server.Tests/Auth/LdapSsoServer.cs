using Drover.Core.Config;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Testing;
using Drover.Testing.Ldap;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Tests.Auth;

/// <summary>
/// <see cref="SsoServer"/> with LDAP group lookup against a real <see cref="SlapdServer"/>: users are looked up by their
/// <c>preferred_username</c> under <see cref="SlapdServer.PeopleBase"/> with <c>(uid={user})</c>, their groups read from
/// <c>memberOf</c>, and the bind password read from a file. The same role rules as <see cref="SsoServer"/>:
/// engineering → viewer, sre → operator, drover-admins → admin. Nothing starts when slapd is missing outside CI (the
/// <see cref="SlapdFactAttribute"/> tests are skipped then).
/// </summary>
public sealed class LdapSsoServer : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("drover-ldap-sso-");

    public SlapdServer Slapd { get; private set; } = null!;

    public SsoServer Sso { get; private set; } = null!;

    /// <summary>Every log record of the server from information on, formatted.</summary>
    public ListLogger Logs { get; } = new();

    /// <summary>Changes the LDAP options the server starts with (before <see cref="InitializeAsync"/>).</summary>
    public Func<LdapOptions, LdapOptions> Adjust { get; init; } = o => o;

    /// <summary>The bind password written to the password file (the service account's, unless a test gives a wrong one).</summary>
    public string BindPassword { get; init; } = SlapdServer.ServicePassword;

    /// <summary>The LDAP options for <paramref name="slapd"/> with the password in <paramref name="passwordFile"/>.</summary>
    public static LdapOptions Options(SlapdServer slapd, string passwordFile) => new()
    {
        Url = slapd.Url,
        BindDn = SlapdServer.ServiceDn,
        BindPassword = new SecretRef(SecretSource.File, passwordFile),
        UserBase = SlapdServer.PeopleBase,
        // A loaded test machine can be slow to answer; the default 5 s is for production.
        Timeout = TimeSpan.FromSeconds(20),
    };

    public async Task InitializeAsync()
    {
        if (!SlapdServer.Installed && Environment.GetEnvironmentVariable("CI") != "true")
        {
            return;
        }

        Slapd = await SlapdServer.StartAsync();
        var passwordFile = _directory.File("ldap-password");
        await File.WriteAllTextAsync(passwordFile, BindPassword + "\n");
        var ldap = Adjust(Options(Slapd, passwordFile));
        Sso = new SsoServer
        {
            Adjust = o => o with { Ldap = ldap },
            AdjustServer = o => o with { Logging = new LoggingOptions { MinimumLevel = LogLevel.Information, AddProviders = b => b.AddProvider(new Provider(Logs)) } },
        };
        await Sso.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (Sso is not null)
        {
            await Sso.DisposeAsync();
        }

        if (Slapd is not null)
        {
            await Slapd.DisposeAsync();
        }

        _directory.Dispose();
    }

    private sealed class Provider(ListLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}
