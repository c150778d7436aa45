using System.Net;
using System.Text;
using System.Text.Json;
using Drover.Core.Ports;
using Drover.Server.Auth;
using Drover.Testing.Ldap;
using Drover.Testing.Oidc;

namespace Drover.Server.Tests.Auth;

/// <summary>
/// Single sign-on whose roles come from a real OpenLDAP directory (<see cref="LdapSsoServer"/>): the directory's groups
/// replace the token's <c>groups</c> claim, for the dashboard's sign-in and for API bearer tokens; a user the directory
/// puts in no mapped group gets 403; a hostile user name is escaped; the directory is a component of the health report.
/// </summary>
public sealed class LdapSsoTests(LdapSsoServer server) : IClassFixture<LdapSsoServer>
{
    private SsoServer Sso => server.Sso;

    private OidcIssuerEmulator Issuer => server.Sso.Issuer;

    [SlapdFact]
    public async Task SignIn_DirectoryGroupGivesTheRole_NotTheTokensGroups()
    {
        // The token says engineering (viewer); the directory says alice is in sre (operator).
        Issuer.User = new OidcUser("u-50", "alice", ["engineering"]);
        var cookies = new CookieContainer();
        using var browser = Sso.Browser(cookies);
        using var landing = await browser.GetAsync("/auth/login");
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);

        foreach (var path in new[] { "/api/v1/pools/linux/drain", "/api/v1/pools/linux/resume" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{\"reason\":\"ldap sign-in\"}", Encoding.UTF8, "application/json") };
            request.Headers.Add("Origin", Sso.BaseAddress.GetLeftPart(UriPartial.Authority));
            using var accepted = await browser.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var reload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reload");
        reload.Headers.Add("Origin", Sso.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var refused = await browser.SendAsync(reload);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("user 'alice' is operator, this needs admin", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SlapdFact]
    public async Task Bearer_DirectoryGroupGivesTheRole_AndTheEventNamesTheUser()
    {
        // No groups in the token at all: carol is an admin by the directory's drover-admins.
        using var client = Sso.Client(Issuer.Mint("drover-api", [], user: new OidcUser("u-51", "carol", [])));
        using var reload = await client.PostAsync("/api/v1/reload", null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        using var drain = await client.PostAsync("/api/v1/pools/gpu/drain", new StringContent("{\"reason\":\"ldap bearer\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
        using var resume = await client.PostAsync("/api/v1/pools/gpu/resume", null);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);

        using var events = JsonDocument.Parse(await client.GetStringAsync("/api/v1/events?newest=true&limit=1000"));
        Assert.Contains(events.RootElement.GetProperty("events").EnumerateArray(), e =>
            e.GetProperty("kind").GetString() == EventKinds.ApiPoolDrain && e.GetProperty("actor").GetString() == "sso:carol");
    }

    [SlapdFact]
    public async Task Bearer_UserInNoMappedGroup_Forbidden_WhateverTheTokenSays()
    {
        // mallory is only in marketing; the token's own claim of drover-admins does not count.
        using var client = Sso.Client(Issuer.Mint("drover-api", ["drover-admins"], user: new OidcUser("u-52", "mallory", ["drover-admins"])));
        using var response = await client.GetAsync("/api/v1/pools");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("'mallory' is signed in but none of their groups maps to a Drover role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SlapdFact]
    public async Task SignIn_UserInNoMappedGroup_ForbiddenAndNoSession()
    {
        Issuer.User = new OidcUser("u-53", "mallory", ["drover-admins"]);
        var cookies = new CookieContainer();
        using var browser = Sso.Browser(cookies);
        using var response = await browser.GetAsync("/auth/login");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("none of your groups in the LDAP directory maps to a Drover role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(cookies.GetCookies(Sso.BaseAddress), c => c.Name == "drover-session");
    }

    [SlapdFact]
    public async Task Bearer_HostileUserName_IsEscaped_AndMatchesOnlyItself()
    {
        // Unescaped, "car*" would find carol (an admin) and "*)(uid=carol" would find her too; escaped, they find nobody.
        foreach (var hostile in new[] { "car*", "*", "*)(uid=carol", "carol)(|(uid=*" })
        {
            using var client = Sso.Client(Issuer.Mint("drover-api", ["drover-admins"], user: new OidcUser("u-54", hostile, ["drover-admins"])));
            using var response = await client.GetAsync("/api/v1/pools");
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"'{hostile}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // A uid that really holds the metacharacters is found, and only by its exact name.
        using var dan = Sso.Client(Issuer.Mint("drover-api", [], user: new OidcUser("u-55", SlapdServer.MetacharacterUser, [])));
        using var drain = await dan.PostAsync("/api/v1/pools/linux/drain", new StringContent("{\"reason\":\"metacharacters\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
        using var resume = await dan.PostAsync("/api/v1/pools/linux/resume", null);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
    }

    [SlapdFact]
    public async Task Health_ListsTheDirectory_CheckedByABind()
    {
        using var viewer = Sso.Client(ServerFixture.Tokens[ApiRole.Viewer]);
        var report = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/health")).RootElement;
        var directory = HealthApiTests.Component(report, "directory", $"127.0.0.1:{server.Slapd.Port}");
        Assert.Equal("ok", directory.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, directory.GetProperty("lastSuccess").ValueKind);
        Assert.Equal("memberOf", directory.GetProperty("details").GetProperty("groups").GetString());
        Assert.DoesNotContain(SlapdServer.ServicePassword, report.ToString(), StringComparison.Ordinal);
        Assert.Contains($"Information: LDAP directory 127.0.0.1:{server.Slapd.Port} bound as {SlapdServer.ServiceDn}; groups are looked up there", server.Logs.Messages);
        Assert.DoesNotContain(server.Logs.Messages, m => m.Contains(SlapdServer.ServicePassword, StringComparison.Ordinal));
    }
}
