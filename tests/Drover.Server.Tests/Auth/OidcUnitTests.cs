using Drover.Core.Config;
using Drover.Server.Auth;
using Drover.Testing.Oidc;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Server.Tests.Auth;

/// <summary>The SSO options' checks, the role mapping, the bounded key refetch and the session cookie's attributes.</summary>
public sealed class OidcUnitTests
{
    private static readonly Uri _issuer = new("https://idp.example.com/realms/ci");

    [Fact]
    public void Problems_EveryOneNamed()
    {
        var options = new OidcOptions
        {
            Issuer = new Uri("http://idp.example.com"),
            ClientId = "drover",
            Scopes = ["profile"],
            ClockSkew = TimeSpan.FromHours(1),
        };
        var problems = options.Problems();
        Assert.Contains(problems, p => p.StartsWith("--oidc-issuer 'http://idp.example.com/': must be an absolute https:// URL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--oidc-client-id needs --oidc-client-secret", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--oidc-client-id needs --public-url", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--oidc-scopes: must include openid", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--oidc-issuer needs at least one --oidc-role", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--oidc-clock-skew", StringComparison.Ordinal));
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void Problems_ApiOnlyWithAudienceAndRoles_None()
    {
        var options = new OidcOptions { Issuer = _issuer, Audience = "drover-api", Roles = [new(ApiRole.Viewer, "engineering")] };
        Assert.Empty(options.Problems());
        Assert.False(options.DashboardSignIn);
        Assert.Equal("drover-api", options.ApiAudience);
    }

    [Fact]
    public void Problems_NeitherAudienceNorClient_Named()
    {
        var options = new OidcOptions { Issuer = _issuer, Roles = [new(ApiRole.Viewer, "engineering")] };
        Assert.StartsWith("--oidc-issuer needs --oidc-audience", Assert.Single(options.Problems()), StringComparison.Ordinal);
    }

    [Fact]
    public void RedirectUri_IsThePublicUrlsAuthCallback()
    {
        var options = new OidcOptions { Issuer = _issuer, ClientId = "drover", PublicUrl = new Uri("https://drover.example.com/") };
        Assert.Equal("https://drover.example.com/auth/callback", options.RedirectUri.ToString());
    }

    [Theory]
    [InlineData("admin=drover-admins", ApiRole.Admin, "drover-admins")]
    [InlineData("Viewer = /engineering ", ApiRole.Viewer, "/engineering")]
    [InlineData("operator=a=b", ApiRole.Operator, "a=b")]
    public void RoleMapping_Parse(string spec, ApiRole role, string value) =>
        Assert.Equal(new OidcRoleMapping(role, value), OidcRoleMapping.Parse(spec));

    [Theory]
    [InlineData("drover-admins", "expected ROLE=VALUE")]
    [InlineData("root=drover-admins", "unknown role 'root'")]
    [InlineData("3=drover-admins", "unknown role '3'")]
    [InlineData("viewer=", "expected ROLE=VALUE")]
    public void RoleMapping_Invalid_SaysWhat(string spec, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => OidcRoleMapping.Parse(spec)).Message, StringComparison.Ordinal);

    [Fact]
    public void RoleOf_HighestMatchWins_CaseSensitive()
    {
        OidcRoleMapping[] mappings = [new(ApiRole.Viewer, "eng"), new(ApiRole.Admin, "admins"), new(ApiRole.Operator, "sre")];
        Assert.Equal(ApiRole.Admin, OidcRoleMapping.RoleOf(mappings, ["sre", "admins", "eng"]));
        Assert.Equal(ApiRole.Operator, OidcRoleMapping.RoleOf(mappings, ["eng", "sre"]));
        Assert.Null(OidcRoleMapping.RoleOf(mappings, ["Admins", "ENG"]));
    }

    [Fact]
    public async Task UnknownKeyIds_RefetchAtMostOncePerInterval()
    {
        await using var emulator = await OidcIssuerEmulator.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new OidcOptions { Issuer = new Uri(emulator.Issuer), Audience = "drover-api", Roles = [new(ApiRole.Viewer, "engineering")], KeyRefreshInterval = TimeSpan.FromMinutes(1) };
        using var http = new HttpClient();
        var issuer = new OidcIssuer(options, http, time, NullLogger.Instance);
        var validator = new OidcTokenValidator(options, issuer, time, NullLogger.Instance);

        Assert.True((await validator.ValidateAccessTokenAsync(emulator.Mint("drover-api"), default)).IsValid);
        Assert.Equal(1, emulator.JwksRequests);

        // Made-up key ids do not make Drover hammer the issuer: one refetch per interval at most.
        for (var i = 0; i < 5; i++)
        {
            var check = await validator.ValidateAccessTokenAsync(emulator.Mint("drover-api", key: OidcIssuerEmulator.NewKey()), default);
            Assert.Equal("the token is signed with a key the issuer does not publish", check.Problem);
        }

        Assert.Equal(1, emulator.JwksRequests);
        time.Advance(TimeSpan.FromMinutes(1));
        emulator.RotateKey(dropOld: true);
        Assert.True((await validator.ValidateAccessTokenAsync(emulator.Mint("drover-api"), default)).IsValid);
        Assert.Equal(2, emulator.JwksRequests);
        Assert.False((await validator.ValidateAccessTokenAsync(emulator.Mint("drover-api", key: OidcIssuerEmulator.NewKey()), default)).IsValid);
        Assert.Equal(2, emulator.JwksRequests);
    }

    [Fact]
    public async Task Lifetime_IsCheckedOnTheInjectedClock()
    {
        await using var emulator = await OidcIssuerEmulator.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new OidcOptions { Issuer = new Uri(emulator.Issuer), Audience = "drover-api", Roles = [new(ApiRole.Viewer, "engineering")] };
        using var http = new HttpClient();
        var validator = new OidcTokenValidator(options, new OidcIssuer(options, http, time, NullLogger.Instance), time, NullLogger.Instance);
        var token = emulator.Mint("drover-api", expires: time.GetUtcNow().UtcDateTime.AddMinutes(10));
        var check = await validator.ValidateAccessTokenAsync(token, default);
        Assert.True(check.IsValid);
        Assert.Equal(ApiRole.Viewer, check.Role);
        Assert.Equal("alice", check.User);

        time.Advance(TimeSpan.FromMinutes(10) + options.ClockSkew + TimeSpan.FromSeconds(1));
        Assert.Equal("the token has expired", (await validator.ValidateAccessTokenAsync(token, default)).Problem);
    }

    [Fact]
    public async Task IssuerDown_LastGoodKeysStayInUse_AndItIsLeftAloneAfterAFailure()
    {
        await using var emulator = await OidcIssuerEmulator.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new OidcOptions { Issuer = new Uri(emulator.Issuer), Audience = "drover-api", Roles = [new(ApiRole.Viewer, "engineering")] };
        using var http = new HttpClient();
        var validator = new OidcTokenValidator(options, new OidcIssuer(options, http, time, NullLogger.Instance), time, NullLogger.Instance);
        Assert.True((await validator.ValidateAccessTokenAsync(emulator.Mint("drover-api"), default)).IsValid);

        emulator.Unavailable = true;
        time.Advance(options.KeyLifetime);
        var token = emulator.Mint("drover-api", expires: time.GetUtcNow().UtcDateTime.AddMinutes(10));
        Assert.True((await validator.ValidateAccessTokenAsync(token, default)).IsValid);
        Assert.Equal(2, emulator.JwksRequests);
        Assert.True((await validator.ValidateAccessTokenAsync(token, default)).IsValid);
        Assert.Equal(2, emulator.JwksRequests);

        time.Advance(OidcIssuer.RetryAfterFailure);
        emulator.Unavailable = false;
        Assert.True((await validator.ValidateAccessTokenAsync(token, default)).IsValid);
        Assert.Equal(3, emulator.JwksRequests);
    }

    [Fact]
    public async Task IssuerDownAtFirstUse_Unavailable_AndNotAskedAgainAtOnce()
    {
        await using var emulator = await OidcIssuerEmulator.StartAsync();
        emulator.Unavailable = true;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new OidcOptions { Issuer = new Uri(emulator.Issuer), Audience = "drover-api", Roles = [new(ApiRole.Viewer, "engineering")] };
        using var http = new HttpClient();
        var validator = new OidcTokenValidator(options, new OidcIssuer(options, http, time, NullLogger.Instance), time, NullLogger.Instance);
        for (var i = 0; i < 3; i++)
        {
            var e = await Assert.ThrowsAsync<OidcUnavailableException>(() => validator.ValidateAccessTokenAsync(emulator.Mint("drover-api"), default));
            Assert.Contains("/.well-known/openid-configuration answered 503", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, emulator.DiscoveryRequests);
    }

    [Fact]
    public async Task IssuerUnreachable_SaysWhichAndWhere()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new OidcOptions { Issuer = new Uri("http://127.0.0.1:9/realms/none"), Audience = "drover-api", Roles = [new(ApiRole.Viewer, "engineering")] };
        using var http = new HttpClient();
        var issuer = new OidcIssuer(options, http, time, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<OidcUnavailableException>(() => issuer.DiscoveryAsync(default));
        Assert.Contains("http://127.0.0.1:9/realms/none/.well-known/openid-configuration cannot be fetched", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionCookie_OnHttps_IsSecureHostPrefixedStrictAndHttpOnly()
    {
        var options = new OidcOptions { Issuer = _issuer, ClientId = "drover", ClientSecret = new SecretRef(SecretSource.Env, "X"), PublicUrl = new Uri("https://drover.example.com"), Roles = [new(ApiRole.Viewer, "eng")] };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cookies = new SsoCookies(new EphemeralDataProtectionProvider(), options, time);
        var context = new DefaultHttpContext();
        cookies.SetSession(context.Response, "alice", ApiRole.Operator);
        var header = context.Response.Headers.SetCookie.ToString();
        Assert.StartsWith("__Host-drover-session=", header, StringComparison.Ordinal);
        Assert.Contains("secure", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", header, StringComparison.OrdinalIgnoreCase);

        var value = header.Split(';')[0]["__Host-drover-session=".Length..];
        var request = new DefaultHttpContext().Request;
        request.Headers.Cookie = $"__Host-drover-session={value}";
        Assert.Equal(ApiCaller.Sso("alice", ApiRole.Operator), cookies.Session(request));
        time.Advance(options.SessionLifetime);
        Assert.Null(cookies.Session(request));
    }
}
