using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Drover.Forges.GitHub.Auth;

/// <summary>
/// The JSON Web Token a GitHub App signs to ask for installation tokens: RS256, issuer the app id, issued a minute in
/// the past (clock drift) and expiring nine minutes ahead (GitHub allows at most ten).
/// </summary>
internal static class AppJwt
{
    /// <summary>How long a JWT is valid from its creation.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);

    /// <summary>A signed JWT for <paramref name="appId"/> at <paramref name="now"/>.</summary>
    /// <exception cref="InvalidOperationException">The key is not an RSA private key in PEM form.</exception>
    public static string Create(long appId, string privateKeyPem, DateTimeOffset now)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privateKeyPem);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException("GitHub App private key: not an RSA private key in PEM form", e);
        }

        var issued = now.AddSeconds(-60).ToUnixTimeSeconds();
        var expires = (now + Lifetime).ToUnixTimeSeconds();
        var header = Base64Url("""{"alg":"RS256","typ":"JWT"}"""u8);
        var payload = Base64Url(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"iat":{{issued}},"exp":{{expires}},"iss":"{{appId}}"}""")));
        var signingInput = header + "." + payload;
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>Base64url without padding (RFC 7515).</summary>
    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
