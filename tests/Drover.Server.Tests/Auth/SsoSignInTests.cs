using System.Net;
using System.Text;
using Drover.Testing.Oidc;
using Microsoft.AspNetCore.WebUtilities;

namespace Drover.Server.Tests.Auth;

/// <summary>
/// The dashboard's sign-in without a browser: an HttpClient that keeps cookies and follows redirects goes through
/// <c>/auth/login</c>, the issuer's authorize endpoint (which signs the configured user in at once), and
/// <c>/auth/callback</c> (code exchanged with the client secret and the PKCE verifier), and then reads the API with the
/// session cookie alone.
/// </summary>
public sealed class SsoSignInTests(SsoServer server) : IClassFixture<SsoServer>
{
    private OidcIssuerEmulator Issuer => server.Issuer;

    [Fact]
    public async Task SignIn_CodeFlowWithPkce_SessionCookieReadsTheApi()
    {
        Issuer.User = new OidcUser("u-10", "carol", ["engineering"]);
        var cookies = new CookieContainer();
        using var browser = server.Browser(cookies);
        using var landing = await browser.GetAsync("/auth/login");
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.Equal(server.BaseAddress, landing.RequestMessage!.RequestUri);
        Assert.Contains("<a id=\"sso-login\" href=\"/auth/login\">", await landing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var session = Assert.Single(cookies.GetCookies(server.BaseAddress), c => c.Name == "drover-session");
        Assert.True(session.HttpOnly);
        Assert.DoesNotContain("carol", session.Value, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/pools")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pools/linux/drain");
        request.Headers.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var drain = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, drain.StatusCode);
        Assert.Contains("user 'carol' is viewer", await drain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_RedirectsWithStateNonceAndS256Challenge_AndSetsAStrictHttpOnlyCookie()
    {
        Issuer.User = new OidcUser("u-11", "dave", ["sre"]);
        var cookies = new CookieContainer();
        using var browser = server.Browser(cookies, followRedirects: false);
        using var login = await browser.GetAsync("/auth/login");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var authorize = login.Headers.Location!;
        Assert.StartsWith(Issuer.Issuer + "/authorize?", authorize.ToString(), StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.Equal(server.BaseAddress + "auth/callback", query["redirect_uri"]);
        Assert.Equal("openid profile groups", query["scope"]);
        Assert.NotEqual(query["state"], query["nonce"]);
        var signInCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("samesite=lax", signInCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", signInCookie, StringComparison.OrdinalIgnoreCase);

        using var issuerClient = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var approved = await issuerClient.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        using var callback = await browser.GetAsync(approved.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/", callback.Headers.Location!.ToString());
        var sessionCookie = Assert.Single(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith("drover-session=", StringComparison.Ordinal));
        Assert.Contains("samesite=strict", sessionCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", sessionCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", sessionCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SessionCookie_StateChangingRequest_NeedsTheDashboardsOrigin()
    {
        Issuer.User = new OidcUser("u-12", "erin", ["sre"]);
        var cookies = new CookieContainer();
        using var browser = server.Browser(cookies);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/auth/login")).StatusCode);

        using (var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pools/linux/drain"))
        {
            crossSite.Headers.Add("Origin", "https://evil.example.com");
            using var refused = await browser.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("must come from " + server.BaseAddress.GetLeftPart(UriPartial.Authority), await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var noOrigin = await browser.PostAsync("/api/v1/pools/linux/drain", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noOrigin.StatusCode);
            Assert.Contains("needs an Origin header", await noOrigin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var path in new[] { "/api/v1/pools/linux/drain", "/api/v1/pools/linux/resume" })
        {
            using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{\"reason\":\"signed in\"}", Encoding.UTF8, "application/json") };
            sameOrigin.Headers.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
            using var accepted = await browser.SendAsync(sameOrigin);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
    }

    [Fact]
    public async Task Logout_EndsTheSession_AndGoesThroughTheIssuersEndSession()
    {
        Issuer.User = new OidcUser("u-13", "frank", ["engineering"]);
        var cookies = new CookieContainer();
        using var browser = server.Browser(cookies);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/auth/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/pools")).StatusCode);

        using var logout = await browser.GetAsync("/auth/logout");
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        Assert.Equal(server.BaseAddress, logout.RequestMessage!.RequestUri);
        Assert.DoesNotContain(cookies.GetCookies(server.BaseAddress), c => c.Name == "drover-session");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/pools")).StatusCode);
    }

    [Fact]
    public async Task SignIn_UserWithoutMappedGroup_ForbiddenAndNoSession()
    {
        Issuer.User = new OidcUser("u-14", "grace", ["marketing"]);
        var cookies = new CookieContainer();
        using var browser = server.Browser(cookies);
        using var response = await browser.GetAsync("/auth/login");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("none of your &#39;groups&#39; maps to a Drover role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(cookies.GetCookies(server.BaseAddress), c => c.Name == "drover-session");
    }

    [Fact]
    public async Task Callback_StateNotThisSignIns_Refused()
    {
        Issuer.User = new OidcUser("u-15", "heidi", ["drover-admins"]);
        var cookies = new CookieContainer();
        using var browser = server.Browser(cookies, followRedirects: false);
        using var login = await browser.GetAsync("/auth/login");
        using var issuerClient = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var approved = await issuerClient.GetAsync(login.Headers.Location!);
        var callback = approved.Headers.Location!.PathAndQuery;
        var forged = QueryHelpers.AddQueryString(callback.Split('?')[0], new Dictionary<string, string?>
        {
            ["code"] = QueryHelpers.ParseQuery(approved.Headers.Location.Query)["code"],
            ["state"] = "someone-elses-state",
        });
        var tokenCalls = Issuer.TokenRequests;
        using var refused = await browser.GetAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("state the issuer sent back is not this sign-in", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(tokenCalls, Issuer.TokenRequests);
        Assert.DoesNotContain(cookies.GetCookies(server.BaseAddress), c => c.Name == "drover-session");
    }

    [Fact]
    public async Task Callback_WithoutASignInStartedInThisBrowser_Refused()
    {
        using var browser = server.Browser(new CookieContainer(), followRedirects: false);
        using var refused = await browser.GetAsync("/auth/callback?code=abc&state=def");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("this browser started no sign-in", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_IdTokenWithAnotherNonce_Refused()
    {
        Issuer.User = new OidcUser("u-16", "ivan", ["drover-admins"]);
        Issuer.NonceOverride = "replayed-nonce";
        try
        {
            var cookies = new CookieContainer();
            using var browser = server.Browser(cookies);
            using var refused = await browser.GetAsync("/auth/login");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("nonce is not the one this sign-in sent", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(cookies.GetCookies(server.BaseAddress), c => c.Name == "drover-session");
        }
        finally
        {
            Issuer.NonceOverride = null;
        }
    }

    [Fact]
    public async Task SessionCookie_Tampered_Unauthorized()
    {
        var cookies = new CookieContainer();
        cookies.Add(server.BaseAddress, new Cookie("drover-session", "CfDJ8forged-value"));
        using var browser = server.Browser(cookies);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/pools")).StatusCode);
    }
}
