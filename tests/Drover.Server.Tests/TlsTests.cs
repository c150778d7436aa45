using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drover.Server.Hosting;
using Drover.Testing;

namespace Drover.Server.Tests;

/// <summary><c>serve --tls-cert/--tls-key</c>: HTTPS with a PEM pair, re-read when the files are rotated.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-tls-");

    public void Dispose() => _directory.Dispose();

    private string CertPath => Path.Combine(_directory.Path, "tls.crt");

    private string KeyPath => Path.Combine(_directory.Path, "tls.key");

    [Fact]
    public async Task Https_ServesTheCertificate_AndARotatedOneOnTheNextConnection_ABrokenRotationKeepsTheLast()
    {
        var first = WritePair("drover-first", DateTime.UtcNow.AddMinutes(-10));
        await using var app = await ServerFixture.StartDemoAsync(Path.Combine(_directory.Path, "state.db"), o => o with { Urls = "https://127.0.0.1:0", Tls = new TlsCertificate(CertPath, KeyPath) });
        var address = new Uri(app.Urls.First());
        Assert.Equal("https", address.Scheme);

        Assert.Equal(first, await PresentedThumbprintAsync(address));

        var second = WritePair("drover-second", DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(second, await PresentedThumbprintAsync(address));

        // Half-written rotation: the certificate file is not PEM. The last good certificate is served.
        await File.WriteAllTextAsync(CertPath, "-----BEGIN CERTIFICATE-----\nnot base64\n");
        File.SetLastWriteTimeUtc(CertPath, DateTime.UtcNow);
        Assert.Equal(second, await PresentedThumbprintAsync(address));
    }

    [Fact]
    public async Task HttpsAddressWithoutACertificate_IsRefusedAtStart()
    {
        var refused = await Assert.ThrowsAsync<TlsCertificateException>(() => ServerFixture.StartDemoAsync(Path.Combine(_directory.Path, "state.db"), o => o with { Urls = "https://127.0.0.1:0" }));

        Assert.Contains("--tls-cert and --tls-key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertificateWithoutAnHttpsAddress_IsRefusedAtStart()
    {
        WritePair("drover", DateTime.UtcNow);

        var refused = await Assert.ThrowsAsync<TlsCertificateException>(() => ServerFixture.StartDemoAsync(Path.Combine(_directory.Path, "state.db"), o => o with { Tls = new TlsCertificate(CertPath, KeyPath) }));

        Assert.Contains("no --urls address is https://", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_OrAKeyOfAnotherCertificate_IsRefusedNamingTheFile()
    {
        var missing = Assert.Throws<TlsCertificateException>(() => new TlsCertificate(CertPath, KeyPath));
        Assert.Equal($"--tls-cert: file '{CertPath}' does not exist", missing.Message);

        WritePair("drover", DateTime.UtcNow);
        using var other = RSA.Create(2048);
        File.WriteAllText(KeyPath, other.ExportPkcs8PrivateKeyPem());

        var mismatch = Assert.Throws<TlsCertificateException>(() => new TlsCertificate(CertPath, KeyPath));
        Assert.StartsWith($"--tls-cert/--tls-key: '{CertPath}' and '{KeyPath}' are not a PEM certificate and its matching private key", mismatch.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes a self-signed certificate and its key as PEM, stamped <paramref name="writtenAt"/>; returns its thumbprint.</summary>
    private string WritePair(string commonName, DateTime writtenAt)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(CertPath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetLastWriteTimeUtc(CertPath, writtenAt);
        File.SetLastWriteTimeUtc(KeyPath, writtenAt);
        return certificate.Thumbprint;
    }

    /// <summary>Opens a new connection to <paramref name="address"/> and returns the thumbprint of the certificate it presents.</summary>
    private static async Task<string?> PresentedThumbprintAsync(Uri address)
    {
        string? presented = null;
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : new X509Certificate2(certificate).Thumbprint;
            return true;
        };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return presented;
    }
}
