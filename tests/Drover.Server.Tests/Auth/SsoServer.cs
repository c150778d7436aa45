using System.Net;
using System.Net.Sockets;
using Drover.Core.Config;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Testing;
using Drover.Testing.Oidc;
using Microsoft.AspNetCore.Builder;

namespace Drover.Server.Tests.Auth;

/// <summary>
/// The fast demo server with single sign-on against an <see cref="OidcIssuerEmulator"/>, plus the fixture's static tokens.
/// Groups: <c>engineering</c> → viewer, <c>sre</c> → operator, <c>drover-admins</c> → admin. API tokens' audience is
/// <c>drover-api</c>; the dashboard's client is <c>drover</c>. Listens on a port chosen up front, so its public URL
/// (and the redirect URI) is known before it starts.
/// </summary>
public sealed class SsoServer : IAsyncLifetime
{
    public const string ClientSecretVariable = "DROVER_TEST_OIDC_SECRET";
    private readonly TempDirectory _directory = new("drover-sso-");

    public OidcIssuerEmulator Issuer { get; private set; } = null!;

    public WebApplication App { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Changes the options the server starts with (before <see cref="InitializeAsync"/>).</summary>
    public Func<OidcOptions, OidcOptions> Adjust { get; init; } = o => o;

    /// <summary>Changes the server's other options (before <see cref="InitializeAsync"/>), e.g. to capture its logs.</summary>
    public Func<ServerOptions, ServerOptions> AdjustServer { get; init; } = o => o;

    /// <summary>The client secret Drover is given (the issuer's, unless a test gives a wrong one).</summary>
    public string? ClientSecretGiven { get; init; }

    public static OidcOptions Options(Uri issuer, Uri publicUrl) => new()
    {
        Issuer = issuer,
        Audience = "drover-api",
        ClientId = "drover",
        ClientSecret = new SecretRef(SecretSource.Env, ClientSecretVariable),
        PublicUrl = publicUrl,
        Scopes = ["openid", "profile", "groups"],
        Roles = [new(ApiRole.Viewer, "engineering"), new(ApiRole.Operator, "sre"), new(ApiRole.Admin, "drover-admins")],
        KeyRefreshInterval = TimeSpan.FromTicks(1),
        // A loaded test machine can take seconds for the first, cold calls; the default 10 s is for production.
        RequestTimeout = TimeSpan.FromSeconds(60),
    };

    public async Task InitializeAsync()
    {
        Issuer = await OidcIssuerEmulator.StartAsync();
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        Issuer.RedirectUris.Add(BaseAddress + "auth/callback");
        var secret = ClientSecretGiven ?? Issuer.ClientSecret;
        App = await ServerFixture.StartDemoAsync(_directory.File("state.db"), o => AdjustServer(o with
        {
            Urls = BaseAddress.ToString().TrimEnd('/'),
            Oidc = Adjust(Options(new Uri(Issuer.Issuer), BaseAddress)),
            Environment = name => name == ClientSecretVariable ? secret : null,
        }));
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Issuer.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>A client that sends <paramref name="bearer"/>, if any.</summary>
    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>A browser-like client: keeps cookies, follows redirects (to the issuer and back).</summary>
    public HttpClient Browser(CookieContainer cookies, bool followRedirects = true) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = followRedirects, MaxAutomaticRedirections = 10 }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
