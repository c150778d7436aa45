using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Engine.Execution;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Auth;

namespace Drover.Forges.GitHub.Tests;

public sealed class PiecesTests
{
    [Theory]
    [InlineData("""<https://api.github.com/repositories/1/actions/runners?page=2>; rel="next", <https://api.github.com/repositories/1/actions/runners?page=5>; rel="last" """, "next", "https://api.github.com/repositories/1/actions/runners?page=2")]
    [InlineData("""<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next" """, "next", "https://x/a?page=3")]
    [InlineData("""<https://x/a?page=1>; rel="first" """, "next", null)]
    [InlineData("", "next", null)]
    [InlineData("garbage", "next", null)]
    public void LinkHeader_Find_TheRelationsUrl(string header, string rel, string? expected) =>
        Assert.Equal(expected, LinkHeader.Find(header, rel));

    [Fact]
    public void AppJwt_Create_RS256WithIssuerAndAtMostTenMinutes_VerifiesWithThePublicKey()
    {
        using var key = RSA.Create(2048);
        var now = DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var jwt = AppJwt.Create(4242, key.ExportRSAPrivateKeyPem(), now);

        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
        Assert.Equal("4242", payload.RootElement.GetProperty("iss").GetString());
        var iat = payload.RootElement.GetProperty("iat").GetInt64();
        var exp = payload.RootElement.GetProperty("exp").GetInt64();
        Assert.Equal(now.ToUnixTimeSeconds() - 60, iat);
        Assert.True(exp - now.ToUnixTimeSeconds() <= 600);
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void AppJwt_Create_NotAKey_ErrorSaysSoWithoutTheText()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AppJwt.Create(1, "-----BEGIN NOTHING-----\nsecret-ish\n-----END NOTHING-----", DateTimeOffset.UnixEpoch));
        Assert.Contains("not an RSA private key", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-ish", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretResolver_MissingFile_ErrorNamesWhatAndWhere()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new SecretResolver(_ => null).Resolve(new SecretRef(SecretSource.File, "/nonexistent/drover.pem"), "forge 'github' auth.privateKey"));
        Assert.Contains("forge 'github' auth.privateKey: cannot read file /nonexistent/drover.pem", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretResolver_EmptyVariable_Refused() =>
        Assert.Throws<InvalidOperationException>(() => new SecretResolver(_ => string.Empty).Resolve(new SecretRef(SecretSource.Env, "X"), "x"));

    [Theory]
    [InlineData(ScopeKind.Repository, "acme/api", "/repos/acme/api")]
    [InlineData(ScopeKind.Organization, "acme", "/orgs/acme")]
    [InlineData(ScopeKind.Enterprise, "acme-corp", "/enterprises/acme-corp")]
    public void ScopePaths_Of_RestPrefix(ScopeKind kind, string path, string expected) =>
        Assert.Equal(expected, ScopePaths.Of(new PoolScope(kind, path)));

    [Fact]
    public void ScopePaths_Of_GitLabScope_Refused() =>
        Assert.Throws<ArgumentException>(() => ScopePaths.Of(new PoolScope(ScopeKind.Group, "g/sub")));

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
