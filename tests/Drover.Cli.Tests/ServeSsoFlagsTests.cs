namespace Drover.Cli.Tests;

/// <summary><c>drover serve</c>'s single sign-on flags: every problem named with its flag, exit 2, and a secret never echoed.</summary>
public sealed class ServeSsoFlagsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-cli-sso-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Store => "sqlite:" + Path.Combine(_directory, "x.db");

    [Fact]
    public void Serve_ClientIdWithoutSecretPublicUrlOrRoles_Exits2NamingEachFlag()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "https://idp.example.com/realms/ci", "--oidc-client-id", "drover");

        Assert.Equal(2, exit);
        Assert.Contains("serve: --oidc-client-id needs --oidc-client-secret (env:NAME or file:/path)", error, StringComparison.Ordinal);
        Assert.Contains("serve: --oidc-client-id needs --public-url", error, StringComparison.Ordinal);
        Assert.Contains("serve: --oidc-issuer needs at least one --oidc-role ROLE=VALUE", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "x.db")));
    }

    [Fact]
    public void Serve_ClientSecretGivenAsItsValue_RefusedWithoutEchoingIt()
    {
        var (exit, output, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "https://idp.example.com", "--oidc-client-id", "drover", "--public-url", "https://drover.example.com", "--oidc-role", "viewer=eng", "--oidc-client-secret", "pasted-client-secret-value");

        Assert.Equal(2, exit);
        Assert.Contains("--oidc-client-secret: not a secret reference (env:NAME or file:/absolute/path)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("pasted-client-secret-value", error + output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--oidc-role", "root=admins", "--oidc-role 'root=admins': unknown role 'root'; roles: viewer, operator, admin")]
    [InlineData("--oidc-clock-skew", "soon", "--oidc-clock-skew: 'soon' is not a duration")]
    [InlineData("--public-url", "http://drover.example.com", "--public-url 'http://drover.example.com/': must be an absolute https:// URL")]
    public void Serve_BadSsoValue_Exits2NamingTheFlag(string flag, string value, string message)
    {
        string[] args = ["serve", "--store", Store, "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "drover-api", "--oidc-role", "viewer=eng", flag, value];
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), args);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_SsoFlagWithoutIssuer_Exits2()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-client-id", "drover", "--oidc-role", "viewer=eng");

        Assert.Equal(2, exit);
        Assert.Contains("serve: --oidc-client-id, --oidc-role given without --oidc-issuer", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_ClientSecretVariableUnset_Exits2NamingTheVariable()
    {
        var variable = "DROVER_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "https://idp.example.com", "--oidc-client-id", "drover", "--public-url", "https://drover.example.com", "--oidc-role", "viewer=eng", "--oidc-client-secret", "env:" + variable);

        Assert.Equal(2, exit);
        Assert.Contains($"serve: --oidc-client-secret: environment variable {variable} is not set or empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_LdapWithoutOidcIssuer_Exits2()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--ldap-url", "ldap://ldap.example.com", "--ldap-user-base", "ou=people,dc=example,dc=com");

        Assert.Equal(2, exit);
        Assert.Contains("serve: --ldap-url, --ldap-user-base given without --oidc-issuer", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "x.db")));
    }

    [Fact]
    public void Serve_LdapFlagWithoutLdapUrl_Exits2()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "drover-api", "--oidc-role", "viewer=eng", "--ldap-group-base", "ou=groups,dc=example,dc=com");

        Assert.Equal(2, exit);
        Assert.Contains("serve: --ldap-group-base given without --ldap-url", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_LdapBindPasswordGivenAsItsValue_RefusedWithoutEchoingIt()
    {
        var (exit, output, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "drover-api", "--oidc-role", "viewer=eng",
            "--ldap-url", "ldap://ldap.example.com", "--ldap-user-base", "ou=people,dc=example,dc=com", "--ldap-bind-dn", "cn=drover,dc=example,dc=com", "--ldap-bind-password", "pasted-bind-password-value");

        Assert.Equal(2, exit);
        Assert.Contains("serve: --ldap-bind-password: not a secret reference (env:NAME or file:/absolute/path); give where the password is, not the password", error, StringComparison.Ordinal);
        Assert.DoesNotContain("--ldap-bind-dn needs --ldap-bind-password", error, StringComparison.Ordinal);
        Assert.DoesNotContain("pasted-bind-password-value", error + output, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_BadLdapFlags_Exits2NamingEachFlag()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "drover-api", "--oidc-role", "viewer=eng",
            "--ldap-url", "ldaps://ldap.example.com", "--ldap-starttls", "--ldap-user-filter", "(uid=someone)", "--ldap-group-filter", "(member={who})", "--ldap-timeout", "soon");

        Assert.Equal(2, exit);
        Assert.Contains("serve: --ldap-url needs --ldap-user-base", error, StringComparison.Ordinal);
        Assert.Contains("serve: --ldap-starttls is for ldap:// URLs", error, StringComparison.Ordinal);
        Assert.Contains("serve: --ldap-user-filter '(uid=someone)': must contain {user}", error, StringComparison.Ordinal);
        Assert.Contains("serve: --ldap-group-filter '(member={who})': unknown placeholder at column 9; it may use {dn} and {user}", error, StringComparison.Ordinal);
        Assert.Contains("serve: --ldap-timeout: 'soon' is not a duration", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "x.db")));
    }

    [Fact]
    public void Serve_LdapBindPasswordVariableUnset_Exits2NamingTheVariable()
    {
        var variable = "DROVER_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "https://idp.example.com", "--oidc-audience", "drover-api", "--oidc-role", "viewer=eng",
            "--ldap-url", "ldap://127.0.0.1:9", "--ldap-user-base", "ou=people,dc=example,dc=com", "--ldap-bind-dn", "cn=drover,dc=example,dc=com", "--ldap-bind-password", "env:" + variable);

        Assert.Equal(2, exit);
        Assert.Contains($"serve: --ldap-bind-password: environment variable {variable} is not set or empty", error, StringComparison.Ordinal);
    }

    [Drover.Testing.Ldap.SlapdFact]
    public async Task Serve_LdapBindRefusedForItsPassword_Exits2BeforeOpeningTheStore()
    {
        await using var slapd = await Drover.Testing.Ldap.SlapdServer.StartAsync();
        var passwordFile = Path.Combine(_directory, "ldap-password");
        await File.WriteAllTextAsync(passwordFile, "not-the-bind-password\n");
        var (exit, output, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", Store, "--oidc-issuer", "http://127.0.0.1:9", "--oidc-audience", "drover-api", "--oidc-role", "viewer=engineering",
            "--ldap-url", slapd.Url.ToString(), "--ldap-user-base", Drover.Testing.Ldap.SlapdServer.PeopleBase,
            "--ldap-bind-dn", Drover.Testing.Ldap.SlapdServer.ServiceDn, "--ldap-bind-password", "file:" + passwordFile);

        Assert.Equal(2, exit);
        Assert.Contains($"serve: single sign-on: the LDAP directory 127.0.0.1:{slapd.Port} refused the bind as '{Drover.Testing.Ldap.SlapdServer.ServiceDn}': invalid credentials", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-bind-password", error + output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "x.db")));
    }
}
