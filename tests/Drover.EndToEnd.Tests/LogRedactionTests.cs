using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Planning;
using Drover.EndToEnd.Tests.Support;
using Drover.Forges.GitHub;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Oidc;
using Microsoft.Extensions.Logging;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// No secret reaches the logs: <c>drover serve</c> with the GitHub forge against the emulator logs at trace level
/// while jobs run on runners whose credentials it minted, the forge API fails some calls, a forged
/// webhook and a wrong API token are refused, and an operator acts through the API; with single sign-on against the
/// issuer emulator a user signs in to the dashboard, calls the API with SSO bearer tokens and a refused one; no record
/// (message, named values or exception) holds the forge token, the webhook secret, an API token, a runner's JIT
/// configuration or the runner secret inside it, the SSO client secret, an SSO token, the authorization code, the
/// sign-in state or the session cookie.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class LogRedactionTests : IDisposable
{
    private const string OperatorToken = "drover_e2e_operator_token_value";
    private readonly TempDirectory _directory = new("drover-redaction-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_AtTraceLevel_NoSecretInAnyLogRecord()
    {
        var records = new ConcurrentQueue<string>();
        RecordingForge? forge = null;
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubEndToEndTests.Token], Seed = 3 });
        await using var issuer = await OidcIssuerEmulator.StartAsync(clientSecret: "drover_e2e_oidc_client_secret_value");
        issuer.User = new OidcUser("u-1", "olivia", ["sre"]);
        var publicUrl = new Uri($"http://127.0.0.1:{FreePort()}");
        var ssoSecrets = new List<string> { issuer.ClientSecret };
        var app = await GitHubEndToEndTests.StartServerAsync(
            emulator,
            _directory.Path,
            _ => { },
            polling: true,
            wrap: f => forge = new RecordingForge(f),
            adjust: o => o with
            {
                Tokens = [new ApiToken("ops", ApiRole.Operator, TokenRegistry.Hash(OperatorToken))],
                Urls = publicUrl.ToString().TrimEnd('/'),
                Oidc = new OidcOptions
                {
                    Issuer = new Uri(issuer.Issuer),
                    Audience = "drover-api",
                    ClientId = issuer.ClientId,
                    ClientSecret = new SecretRef(SecretSource.Env, "E2E_OIDC_CLIENT_SECRET"),
                    PublicUrl = publicUrl,
                    Roles = [new OidcRoleMapping(ApiRole.Operator, "sre")],
                    RequestTimeout = TimeSpan.FromSeconds(60),
                },
                Environment = name => name == "E2E_OIDC_CLIENT_SECRET" ? issuer.ClientSecret : o.Environment(name),
                Logging = new LoggingOptions { MinimumLevel = LogLevel.Trace, AddProviders = b => b.AddProvider(new RecordingLoggerProvider(records)) },
            });
        try
        {
            var baseAddress = new Uri(app.Urls.First());
            emulator.Webhooks.Target = new Uri(baseAddress, "/webhooks/github/github");
            emulator.Webhooks.Secret = GitHubEndToEndTests.Secret;
            // Failed calls log their errors (status, URL, the API's message).
            emulator.Faults.FailNext = 4;
            emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.FromMilliseconds(300)), ("test", ["linux"], TimeSpan.FromMilliseconds(300)));
            await Eventually.ThatAsync(() => emulator.Jobs(), jobs => jobs.Count == 2 && jobs.All(j => j.Status == "completed"), "both jobs completed", TestServe.Statuses, TimeSpan.FromSeconds(60));

            // Refusals log their reasons: a webhook signed with another secret, an unknown bearer token.
            var body = Encoding.UTF8.GetBytes("""{"action":"queued","workflow_job":{"id":99,"run_id":1,"status":"queued","labels":["linux"]},"repository":{"full_name":"acme/api"}}""");
            Assert.Equal(401, await emulator.Webhooks.PostAsync(emulator.Webhooks.Target, "forged", body, signature: EmulatorWebhooks.Sign("not-the-secret", body)));
            using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };
            using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pools"))
            {
                wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "drover_not_a_token_but_still_secret");
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
            }

            using (var drain = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pools/gpu/drain") { Content = new StringContent("{\"reason\":\"log check\"}", Encoding.UTF8, "application/json") })
            {
                drain.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
                Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(drain)).StatusCode);
            }

            // Single sign-on: a dashboard sign-in step by step (the code and state pass through URLs), then SSO bearer calls,
            // one with a token signed by a key the issuer does not publish (refused after refetching the keys) and one expired.
            var cookies = new CookieContainer();
            using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };
            using var login = await browser.GetAsync("/auth/login");
            using var toIssuer = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            using var approved = await toIssuer.GetAsync(login.Headers.Location!);
            var back = approved.Headers.Location!;
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(back.Query);
            ssoSecrets.Add(query["code"].ToString());
            ssoSecrets.Add(query["state"].ToString());
            using (var callback = await browser.GetAsync(back.PathAndQuery))
            {
                Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
            }

            var session = cookies.GetCookies(baseAddress).Single(c => c.Name == "drover-session").Value;
            ssoSecrets.Add(session);
            using (var signedIn = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pools/gpu/resume"))
            {
                signedIn.Headers.Add("Origin", baseAddress.GetLeftPart(UriPartial.Authority));
                Assert.Equal(HttpStatusCode.Accepted, (await browser.SendAsync(signedIn)).StatusCode);
            }

            var valid = issuer.Mint("drover-api", ["sre"]);
            var unpublished = issuer.Mint("drover-api", ["sre"], key: OidcIssuerEmulator.NewKey());
            var expired = issuer.Mint("drover-api", ["sre"], expires: DateTime.UtcNow.AddMinutes(-5), notBefore: DateTime.UtcNow.AddMinutes(-15));
            ssoSecrets.AddRange([valid, unpublished, expired]);
            foreach (var (jwt, status) in new[] { (valid, HttpStatusCode.OK), (unpublished, HttpStatusCode.Unauthorized), (expired, HttpStatusCode.Unauthorized) })
            {
                using var call = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pools");
                call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
                Assert.Equal(status, (await client.SendAsync(call)).StatusCode);
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        var credentials = forge!.Minted.ToList();
        Assert.NotEmpty(credentials);
        var secrets = new List<string> { GitHubEndToEndTests.Token, GitHubEndToEndTests.Secret, OperatorToken, "drover_not_a_token_but_still_secret" };
        secrets.AddRange(ssoSecrets);
        // A JWT's signature alone must not leak either (its header and claims are not secret).
        secrets.AddRange(ssoSecrets.Where(s => s.Count(c => c == '.') == 2).Select(s => s[(s.LastIndexOf('.') + 1)..]));
        foreach (var jit in credentials)
        {
            secrets.Add(jit);
            using var decoded = JsonDocument.Parse(Convert.FromBase64String(jit));
            secrets.Add(decoded.RootElement.GetProperty("secret").GetString()!);
        }

        var logged = records.ToList();
        // The capture works: the records the run must have written are there.
        Assert.Contains(logged, r => r.Contains("Became leader", StringComparison.Ordinal));
        Assert.Contains(logged, r => r.Contains("olivia signed in to the dashboard as operator", StringComparison.Ordinal));
        Assert.Contains(logged, r => r.Contains("SSO token refused: the token has expired", StringComparison.Ordinal));
        Assert.Contains(logged, r => r.Contains("Warning", StringComparison.Ordinal) || r.Contains("Error", StringComparison.Ordinal));
        Assert.True(logged.Count > 10, $"only {logged.Count} log records at trace level");
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logged, r => r.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every record as one string: category, level, message, each named value and the exception.</summary>
    private sealed class RecordingLoggerProvider(ConcurrentQueue<string> records) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, records);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> records) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = new StringBuilder().Append(category).Append(' ').Append(logLevel).Append(' ').Append(formatter(state, exception));
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (key, value) in values)
                    {
                        text.Append(' ').Append(key).Append('=').Append(value);
                    }
                }

                records.Enqueue(text.Append(' ').Append(exception).ToString());
            }
        }
    }

    /// <summary>The real GitHub forge, noting every runner credential it mints.</summary>
    private sealed class RecordingForge(GitHubForge inner) : IForge, IWebhookReceiver, IDemandSource
    {
        public string Name => inner.Name;

        public ConcurrentQueue<string> Minted { get; } = new();

        public async Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
        {
            var credential = await inner.MintRunnerCredentialAsync(pool, runnerName, cancellationToken);
            Minted.Enqueue(credential.Reveal());
            return credential;
        }

        public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken) => inner.ListRunnersAsync(cancellationToken);

        public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => inner.UnregisterAsync(forgeRunnerId, cancellationToken);

        public WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body) => inner.Verify(header, body);

        public Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => inner.InterpretAsync(delivery, cancellationToken);

        public Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken) => inner.RunAsync(sink, cancellationToken);
    }
}
