using Drover.Core.Adapters;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Auth;

/// <summary>
/// Wires single sign-on into <c>drover serve</c>: checks the options (every problem at once), reads the client secret
/// (and the LDAP bind password), keeps the session cookies' Data Protection key ring in the data directory, binds to the
/// LDAP directory once when there is one, and builds the issuer, the token validator, the authenticator and the sign-in
/// endpoints.
/// </summary>
internal sealed class Sso
{
    private readonly OidcOptions _options;
    private readonly string? _clientSecret;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<ApiToken> _tokens;
    private readonly HttpClient _http;
    private OidcIssuer? _issuer;
    private OidcTokenValidator? _validator;
    private SsoCookies? _cookies;
    private ILogger? _logger;
    private string? _directoryProblem;

    private Sso(OidcOptions options, string? clientSecret, TimeProvider time, IReadOnlyList<ApiToken> tokens, LdapDirectory? directory)
    {
        _tokens = tokens;
        Directory = directory;
        _http = new HttpClient { Timeout = options.RequestTimeout };
        _options = options;
        _clientSecret = clientSecret;
        _time = time;
    }

    /// <summary>The LDAP directory groups are looked up in, or null.</summary>
    public LdapDirectory? Directory { get; }

    /// <exception cref="AdapterConfigurationException">
    /// The options have problems, the client secret or the LDAP bind password cannot be read, or the directory refused the
    /// bind; the message says which, never the secret.
    /// </exception>
    public static async Task<Sso> ConfigureAsync(IServiceCollection services, OidcOptions options, ServerOptions server, string dataDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new AdapterConfigurationException("single sign-on: " + string.Join("; ", problems));
        }

        string? secret = null;
        if (options.ClientSecret is { } reference)
        {
            try
            {
                secret = new SecretResolver(server.Environment).Resolve(reference, "--oidc-client-secret").Trim();
            }
            catch (InvalidOperationException e)
            {
                throw new AdapterConfigurationException(e.Message, e);
            }
        }

        LdapDirectory? directory = null;
        string? directoryProblem = null;
        if (options.Ldap is { } ldap)
        {
            string? password = null;
            if (ldap.BindPassword is { } passwordReference)
            {
                try
                {
                    password = new SecretResolver(server.Environment).Resolve(passwordReference, "--ldap-bind-password").TrimEnd('\r', '\n');
                }
                catch (InvalidOperationException e)
                {
                    throw new AdapterConfigurationException(e.Message, e);
                }
            }

            directory = new LdapDirectory(ldap, password, time);
            directoryProblem = await directory.CheckAtStartAsync(cancellationToken).ConfigureAwait(false);
        }

        if (options.DashboardSignIn)
        {
            var keys = options.SessionKeysDirectory ?? Path.Combine(dataDirectory, "session-keys");
            try
            {
                System.IO.Directory.CreateDirectory(keys);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new AdapterConfigurationException($"single sign-on: the session key directory {keys} cannot be created: {e.Message}", e);
            }

            services.AddDataProtection().SetApplicationName("Drover").PersistKeysToFileSystem(new DirectoryInfo(keys));
        }

        return new Sso(options, secret, time, server.Tokens, directory) { _directoryProblem = directoryProblem };
    }

    /// <summary>The authenticator: static tokens first, then the issuer's JWTs, then the session cookie.</summary>
    public ApiAuthenticator Authenticator(IServiceProvider services)
    {
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Sso");
        _issuer = new OidcIssuer(_options, _http, _time, _logger);
        if (Directory is { } directory)
        {
            directory.Logger = _logger;
            if (_directoryProblem is { } problem)
            {
                AuthLog.DirectoryUnavailable(_logger, directory.Options.Name, problem);
            }
            else
            {
                AuthLog.DirectoryBound(_logger, directory.Options.Name, directory.Options.BindDn ?? "(anonymous)");
            }
        }

        _validator = new OidcTokenValidator(_options, _issuer, _time, _logger, Directory);
        _cookies = _options.DashboardSignIn ? new SsoCookies(services.GetRequiredService<IDataProtectionProvider>(), _options, _time) : null;
        var tokens = new TokenRegistry(_tokens);
        return new ApiAuthenticator(tokens, _options, _validator, _cookies, _logger);
    }

    /// <summary>Maps <c>/auth/login</c>, <c>/auth/callback</c> and <c>/auth/logout</c> when the dashboard can sign in.</summary>
    public void Map(WebApplication app)
    {
        _ = app.Services.GetRequiredService<ApiAuthenticator>();
        if (_cookies is not null)
        {
            SsoEndpoints.Map(app, _options, _issuer!, _validator!, _cookies, _clientSecret!, _http, _logger!);
        }

        app.Lifetime.ApplicationStopped.Register(_http.Dispose);
    }
}
