using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>
/// The PEM certificate and private key <c>serve --tls-cert/--tls-key</c> name. Loaded once at start-up (a file that is
/// missing, not PEM, or a key that does not match the certificate stops the start with the file named), then read again
/// when either file changes, so a certificate that cert-manager or a mounted Secret rotates is served on the next
/// connection without a restart. A rotated pair that cannot be loaded (half written, mismatched) is logged and the last
/// good certificate stays in use.
/// </summary>
public sealed class TlsCertificate
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly Lock _sync = new();
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _stamps;

    /// <summary>Loads the pair; throws <see cref="TlsCertificateException"/> saying which file is wrong and why.</summary>
    public TlsCertificate(string certificatePath, string keyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        ArgumentException.ThrowIfNullOrEmpty(keyPath);
        _certificatePath = Path.GetFullPath(certificatePath);
        _keyPath = Path.GetFullPath(keyPath);
        _stamps = Stamps();
        _current = Load(_certificatePath, _keyPath);
    }

    /// <summary>Where rotation failures are logged; null until the server's logging is up.</summary>
    internal ILogger? Logger { get; set; }

    /// <summary>The certificate to present now: reloaded first when either file changed since the last load.</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_sync)
            {
                var stamps = Stamps();
                if (stamps != _stamps)
                {
                    _stamps = stamps;
                    try
                    {
                        _current = Load(_certificatePath, _keyPath);
                        if (Logger is { } logger)
                        {
                            HostingLog.TlsCertificateReloaded(logger, _current.Subject, _current.NotAfter);
                        }
                    }
                    catch (TlsCertificateException e)
                    {
                        if (Logger is { } logger)
                        {
                            HostingLog.TlsCertificateReloadFailed(logger, e.Message);
                        }
                    }
                }

                return _current;
            }
        }
    }

    private (DateTime, DateTime) Stamps() => (Stamp(_certificatePath), Stamp(_keyPath));

    // Through symlinks (a mounted Secret's ..data swap changes the target, not the link).
    private static DateTime Stamp(string path)
    {
        try
        {
            var info = new FileInfo(path);
            var target = info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info : info;
            return target.Exists ? target.LastWriteTimeUtc : DateTime.MinValue;
        }
        catch (IOException)
        {
            return DateTime.MinValue;
        }
    }

    private static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        foreach (var (path, what) in new[] { (certificatePath, "--tls-cert"), (keyPath, "--tls-key") })
        {
            if (!File.Exists(path))
            {
                throw new TlsCertificateException($"{what}: file '{path}' does not exist");
            }
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (!pem.HasPrivateKey)
            {
                throw new TlsCertificateException($"--tls-key: '{keyPath}' holds no private key for the certificate in '{certificatePath}'");
            }

            // An ephemeral PEM key cannot be used by the TLS stack on every platform; a PKCS#12 round trip makes it usable.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (CryptographicException e)
        {
            throw new TlsCertificateException($"--tls-cert/--tls-key: '{certificatePath}' and '{keyPath}' are not a PEM certificate and its matching private key ({e.Message})");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TlsCertificateException($"--tls-cert/--tls-key: cannot read '{certificatePath}' or '{keyPath}' ({e.Message})");
        }
    }
}

/// <summary>A TLS certificate or key that cannot be used; the message names the file and the reason.</summary>
public sealed class TlsCertificateException(string message) : Exception(message);
