using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Drover.Core.Ports;
using Drover.Server.Tests;
using Drover.Testing;
using Drover.Testing.Oidc;

namespace Drover.Server.Tests.Auth;

/// <summary>
/// The API with JWT bearer tokens from the issuer next to the static tokens: signature, issuer, audience and lifetime are
/// checked, a rotated key is fetched once, groups map to roles (401 without a valid token, 403 with too low a role).
/// </summary>
public sealed class SsoBearerTests(SsoServer server) : IClassFixture<SsoServer>
{
    private OidcIssuerEmulator Issuer => server.Issuer;

    [Fact]
    public async Task Bearer_ViewerGroup_ReadsButCannotDrain()
    {
        using var client = server.Client(Issuer.Mint("drover-api", ["engineering"]));
        using var pools = await client.GetAsync("/api/v1/pools");
        Assert.Equal(HttpStatusCode.OK, pools.StatusCode);

        using var drain = await client.PostAsync("/api/v1/pools/linux/drain", null);
        Assert.Equal(HttpStatusCode.Forbidden, drain.StatusCode);
        Assert.Contains("user 'alice' is viewer, this needs operator", await drain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bearer_OperatorGroup_DrainsAndTheEventNamesTheUser()
    {
        using var client = server.Client(Issuer.Mint("drover-api", ["engineering", "sre"], user: new OidcUser("u-2", "bob", [])));
        using var drain = await client.PostAsync("/api/v1/pools/gpu/drain", new StringContent("{\"reason\":\"sso test\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
        using var resume = await client.PostAsync("/api/v1/pools/gpu/resume", null);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);

        using var events = JsonDocument.Parse(await client.GetStringAsync("/api/v1/events?newest=true&limit=1000"));
        Assert.Contains(events.RootElement.GetProperty("events").EnumerateArray(), e =>
            e.GetProperty("kind").GetString() == EventKinds.ApiPoolDrain && e.GetProperty("actor").GetString() == "sso:bob" && e.GetProperty("subject").GetString() == "gpu");
    }

    [Fact]
    public async Task Bearer_AdminGroup_Reloads()
    {
        using var client = server.Client(Issuer.Mint("drover-api", ["drover-admins"]));
        using var reload = await client.PostAsync("/api/v1/reload", null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
    }

    [Fact]
    public async Task Bearer_NoMappedGroup_Forbidden()
    {
        using var client = server.Client(Issuer.Mint("drover-api", ["marketing"]));
        using var response = await client.GetAsync("/api/v1/pools");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("none of their groups maps to a Drover role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expired", "the token has expired")]
    [InlineData("not-yet-valid", "the token is not valid yet")]
    [InlineData("wrong-audience", "the token is for another audience")]
    [InlineData("wrong-issuer", "the token is from another issuer")]
    [InlineData("wrong-signature", "the token's signature is not valid")]
    [InlineData("unpublished-key", "the token is signed with a key the issuer does not publish")]
    [InlineData("not-a-jwt", "unauthenticated: send Authorization: Bearer <token>")]
    public async Task Bearer_InvalidToken_Unauthorized(string kind, string reason)
    {
        var now = DateTime.UtcNow;
        var token = kind switch
        {
            // Past the one-minute clock skew either way.
            "expired" => Issuer.Mint("drover-api", ["drover-admins"], expires: now.AddMinutes(-2), notBefore: now.AddMinutes(-12)),
            "not-yet-valid" => Issuer.Mint("drover-api", ["drover-admins"], notBefore: now.AddMinutes(5), expires: now.AddMinutes(15)),
            "wrong-audience" => Issuer.Mint("someone-else", ["drover-admins"]),
            "wrong-issuer" => Issuer.Mint("drover-api", ["drover-admins"], issuer: "https://evil.example.com"),
            // The published key id, another key: a forged signature.
            "wrong-signature" => Issuer.Mint("drover-api", ["drover-admins"], key: OidcIssuerEmulator.NewKey(Issuer.SigningKey.KeyId)),
            "unpublished-key" => Issuer.Mint("drover-api", ["drover-admins"], key: OidcIssuerEmulator.NewKey()),
            _ => "abc.def",
        };
        using var client = server.Client(token);
        using var response = await client.GetAsync("/api/v1/pools");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(reason, body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bearer_WithinClockSkew_Accepted()
    {
        var now = DateTime.UtcNow;
        using var client = server.Client(Issuer.Mint("drover-api", ["engineering"], expires: now.AddSeconds(-20), notBefore: now.AddMinutes(-10)));
        using var response = await client.GetAsync("/api/v1/pools");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Bearer_AfterKeyRotation_NewKeyFetchedOnceAndAccepted()
    {
        using (var before = server.Client(Issuer.Mint("drover-api", ["engineering"])))
        {
            Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/api/v1/pools")).StatusCode);
        }

        var fetches = Issuer.JwksRequests;
        Issuer.RotateKey(dropOld: true);
        using var after = server.Client(Issuer.Mint("drover-api", ["engineering"]));
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/v1/pools")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/v1/runners")).StatusCode);
        Assert.Equal(fetches + 1, Issuer.JwksRequests);
    }

    [Fact]
    public async Task StaticTokens_StillWork_AndNeverAskTheIssuer()
    {
        var fetches = Issuer.JwksRequests;
        using var viewer = ServerFixture.Client(server.BaseAddress, Drover.Server.Auth.ApiRole.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/pools")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/reload", null)).StatusCode);
        using var admin = ServerFixture.Client(server.BaseAddress, Drover.Server.Auth.ApiRole.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/reload", null)).StatusCode);
        Assert.Equal(fetches, Issuer.JwksRequests);
    }

    [Fact]
    public async Task NoCredentials_UnauthorizedWithTheSignInHint()
    {
        using var client = server.Client();
        using var response = await client.GetAsync("/api/v1/pools");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("/auth/login", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
