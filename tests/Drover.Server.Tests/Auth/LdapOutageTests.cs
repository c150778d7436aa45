using System.Net;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Server.Auth;
using Drover.Testing;
using Drover.Testing.Ldap;
using Drover.Testing.Oidc;

namespace Drover.Server.Tests.Auth;

/// <summary>
/// What happens when the LDAP directory cannot be used: a wrong bind password stops <c>serve</c> at start-up with a
/// clear message, and a directory that goes away fails closed (503 with the reason, no role) and shows down in the health
/// report until it is back.
/// </summary>
public sealed class LdapOutageTests
{
    [SlapdFact]
    public async Task DirectoryStopped_FailsClosed_HealthDown_ThenRecovers()
    {
        var server = new LdapSsoServer();
        await server.InitializeAsync();
        try
        {
            var sso = server.Sso;
            using var viewer = sso.Client(ServerFixture.Tokens[ApiRole.Viewer]);
            using var bob = sso.Client(sso.Issuer.Mint("drover-api", [], user: new OidcUser("u-60", "bob", [])));
            Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/v1/pools")).StatusCode);

            await server.Slapd.StopAsync();

            // A user whose groups are not cached gets no role: 503 with the reason, not a guess.
            using var alice = sso.Client(sso.Issuer.Mint("drover-api", ["drover-admins"], user: new OidcUser("u-61", "alice", ["drover-admins"])));
            using var refused = await alice.GetAsync("/api/v1/pools");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains($"the LDAP directory 127.0.0.1:{server.Slapd.Port} cannot be reached", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // The dashboard's sign-in fails closed too.
            sso.Issuer.User = new OidcUser("u-62", "carol", ["drover-admins"]);
            var cookies = new CookieContainer();
            using var browser = sso.Browser(cookies);
            using var signIn = await browser.GetAsync("/auth/login");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, signIn.StatusCode);
            Assert.Contains("Your groups cannot be looked up, so no role can be given", await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(cookies.GetCookies(sso.BaseAddress), c => c.Name == "drover-session");

            // Groups looked up before the outage are used until their time to live runs out (5 minutes by default).
            Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/v1/pools")).StatusCode);

            var down = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/health")).RootElement;
            var directory = HealthApiTests.Component(down, "directory", null);
            Assert.Equal("down", directory.GetProperty("status").GetString());
            Assert.Equal("down", down.GetProperty("status").GetString());
            Assert.Contains("cannot be reached", directory.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            Assert.Contains(server.Logs.Messages, m => m.StartsWith($"Warning: LDAP call to 127.0.0.1:{server.Slapd.Port} failed: the LDAP directory 127.0.0.1:{server.Slapd.Port} cannot be reached", StringComparison.Ordinal));
            Assert.DoesNotContain(server.Logs.Messages, m => m.Contains(SlapdServer.ServicePassword, StringComparison.Ordinal));

            await server.Slapd.StartAgainAsync();
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/pools")).StatusCode);
            var up = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/health")).RootElement;
            Assert.Equal("ok", HealthApiTests.Component(up, "directory", null).GetProperty("status").GetString());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [SlapdFact]
    public async Task WrongBindPassword_ServeRefusesToStart_SayingSo()
    {
        await using var slapd = await SlapdServer.StartAsync();
        using var directory = new TempDirectory("drover-ldap-wrong-");
        var passwordFile = directory.File("ldap-password");
        await File.WriteAllTextAsync(passwordFile, "not-the-bind-password");
        var oidc = SsoServer.Options(new Uri("http://127.0.0.1:9"), new Uri("http://127.0.0.1:9")) with { Ldap = LdapSsoServer.Options(slapd, passwordFile) };

        var e = await Assert.ThrowsAsync<AdapterConfigurationException>(() => ServerFixture.StartDemoAsync(directory.File("state.db"), o => o with
        {
            Oidc = oidc,
            Environment = name => name == SsoServer.ClientSecretVariable ? "client-secret" : null,
        }));

        Assert.Contains($"the LDAP directory 127.0.0.1:{slapd.Port} refused the bind as '{SlapdServer.ServiceDn}': invalid credentials", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-bind-password", e.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(directory.File("state.db")), "nothing is written before the directory check");
    }
}
