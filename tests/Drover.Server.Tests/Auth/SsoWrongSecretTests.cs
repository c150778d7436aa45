using System.Net;
using Drover.Testing.Oidc;

namespace Drover.Server.Tests.Auth;

/// <summary>With a client secret the issuer does not accept, the code exchange fails and nobody is signed in.</summary>
public sealed class SsoWrongSecretTests
{
    [Fact]
    public async Task SignIn_WrongClientSecret_RefusedByTheTokenEndpoint()
    {
        var server = new SsoServer { ClientSecretGiven = "not-the-client-secret" };
        await server.InitializeAsync();
        try
        {
            server.Issuer.User = new OidcUser("u-20", "judy", ["drover-admins"]);
            var cookies = new CookieContainer();
            using var browser = server.Browser(cookies);
            using var refused = await browser.GetAsync("/auth/login");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("answered 401 invalid_client", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("invalid_client: client id or secret is wrong", server.Issuer.LastTokenError);
            Assert.DoesNotContain(cookies.GetCookies(server.BaseAddress), c => c.Name == "drover-session");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
