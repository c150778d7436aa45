using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Forges.GitHub;
using Drover.Forges.GitLab;
using Drover.Testing;
using Drover.Testing.Fuzz;
using Drover.Testing.GitHub;
using Drover.Testing.GitLab;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Drover.Chaos.Tests.Fuzz;

/// <summary>
/// Fixed-seed fuzzing of both webhook parsers with mutations of the real payloads in ../shared/data/fixtures: a
/// correctly signed delivery is verified, given a delivery id and interpreted. The contract under test: verifying and
/// deriving an id never throw, and interpreting either yields job events or refuses the payload as unreadable
/// (<see cref="FormatException"/>, which the intake logs and sets aside) — any other exception is an unhandled one
/// (the intake retries it every cycle). CI: 3,000 inputs per parser; <c>DROVER_FUZZ_INPUTS</c> sets the count.
/// </summary>
public sealed class WebhookParserFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261207;

    [SharedDataFact("data/fixtures")]
    public async Task GitHubWorkflowJob_MutatedFixtures_ReadOrRefusedAsUnreadable_NeverAnUnhandledException()
    {
        var fixtures = Fixtures("github/workflow_job", "github/arc");
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = ["ghp_fuzz"] });
        var forge = Forge(new GitHubModule(GitHubForgeOptions.Default with { Environment = Env, Polling = false }), ForgeKind.GitHub, emulator.ApiUrl);
        var receiver = (IWebhookReceiver)forge;

        var failures = await FuzzAsync("github workflow_job", fixtures, async (body, index) =>
        {
            var signature = EmulatorWebhooks.Sign(Secret, body);
            var verdict = receiver.Verify(name => name switch { "X-Hub-Signature-256" => signature, "X-GitHub-Event" => "workflow_job", "X-GitHub-Delivery" => $"fuzz-{index}", _ => null }, body);
            if (!verdict.IsAccepted)
            {
                return Refusal(verdict);
            }

            return await InterpretAsync(receiver, "github", """{"X-GitHub-Event":"workflow_job"}""", body, index);
        });
        (forge as IDisposable)?.Dispose();
        Assert.True(failures.Count == 0, FuzzFailure.Summarise(failures, Inputs));
    }

    [SharedDataFact("data/fixtures")]
    public async Task GitLabJobHook_MutatedFixtures_ReadOrRefusedAsUnreadable_NeverAnUnhandledException()
    {
        var fixtures = Fixtures("gitlab");
        await using var emulator = await GitLabEmulator.StartAsync("glpat-fuzz");
        var forge = Forge(new GitLabModule(GitLabForgeOptions.Default with { Environment = Env, Polling = false, RequestTimeout = TimeSpan.FromSeconds(5) }), ForgeKind.GitLab, emulator.Url);
        var receiver = (IWebhookReceiver)forge;

        var failures = await FuzzAsync("gitlab job hook", fixtures, async (body, index) =>
        {
            var verdict = receiver.Verify(name => name switch { "X-Gitlab-Token" => Secret, "X-Gitlab-Event" => "Job Hook", _ => null }, body);
            if (!verdict.IsAccepted)
            {
                return Refusal(verdict);
            }

            // Without X-Gitlab-Event-UUID the server derives the delivery id from the body.
            try
            {
                receiver.DeliveryIdFromBody(body);
            }
            catch (Exception e)
            {
                return $"deriving the delivery id threw {e.GetType().Name}: {e.Message}";
            }

            return await InterpretAsync(receiver, "gitlab", """{"X-Gitlab-Event":"Job Hook"}""", body, index);
        });
        (forge as IDisposable)?.Dispose();
        Assert.True(failures.Count == 0, FuzzFailure.Summarise(failures, Inputs));
    }

    private const string Secret = "fuzz-webhook-secret";

    private static int Inputs => Fuzzer.Budget(3000);

    private static string? Env(string name) => name switch { "FUZZ_TOKEN" => "ghp_fuzz", "FUZZ_SECRET" => Secret, _ => null };

    private async Task<List<FuzzFailure>> FuzzAsync(string target, IReadOnlyList<byte[]> fixtures, Func<byte[], int, Task<string?>> check)
    {
        var fuzzer = new Fuzzer(Seed);
        var failures = new List<FuzzFailure>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var checking = TimeSpan.Zero;
        for (var i = 0; i < Inputs; i++)
        {
            var body = fuzzer.Mutate(fixtures[fuzzer.Next(fixtures.Count)]);
            string? problem;
            var checkStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                problem = await check(body, i);
            }
            catch (Exception e)
            {
                problem = $"{e.GetType().Name} escaped: {e.Message}";
            }

            checking += System.Diagnostics.Stopwatch.GetElapsedTime(checkStarted);
            if (problem is not null && failures.Count < 10_000)
            {
                failures.Add(new FuzzFailure(target, Seed, i, problem, body));
            }
        }

        output.WriteLine($"{target}: {Inputs} inputs in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s ({checking.TotalSeconds:F1} s in the parser), {failures.Count} mishandled");
        if (failures.Count > 0)
        {
            output.WriteLine(FuzzFailure.Summarise(failures, Inputs));
        }

        return failures;
    }

    /// <summary>A refused delivery is handled when it is refused with a 4xx and says why; null then, else what is wrong.</summary>
    private static string? Refusal(WebhookVerdict verdict) =>
        verdict.Status is >= 400 and < 500 && !string.IsNullOrWhiteSpace(verdict.Problem) ? null : $"refused with {verdict.Status} and problem '{verdict.Problem}'";

    /// <summary>Interprets one delivery: null when it gave events or was refused as unreadable, else what went wrong.</summary>
    private static async Task<string?> InterpretAsync(IWebhookReceiver receiver, string forge, string headers, byte[] body, int index)
    {
        var delivery = new WebhookDelivery { Forge = forge, DeliveryId = $"fuzz-{index}", ReceivedAt = DateTimeOffset.UnixEpoch, HeadersJson = headers, Body = body };
        try
        {
            await receiver.InterpretAsync(delivery, CancellationToken.None);
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (Exception e)
        {
            // Grouped by type and the message's first words, so one cause is one line of the summary.
            return $"interpreting threw {e.GetType().Name}: {string.Join(' ', e.Message.Split(' ').Take(8))}";
        }
    }

    private static IForge Forge(IForgeModule module, ForgeKind kind, Uri url)
    {
        var config = new ForgeConfig
        {
            Name = kind == ForgeKind.GitHub ? "github" : "gitlab",
            Kind = kind,
            Url = url,
            Auth = new ForgeAuth { Token = new SecretRef(SecretSource.Env, "FUZZ_TOKEN") },
            WebhookSecret = new SecretRef(SecretSource.Env, "FUZZ_SECRET"),
        };
        var pool = new PoolConfig
        {
            Name = "fuzz",
            Forge = config.Name,
            Scope = kind == ForgeKind.GitHub ? new PoolScope(ScopeKind.Repository, "Codertocat/Hello-World") : new PoolScope(ScopeKind.Group, "acme"),
            Labels = ["linux"],
            Provider = "none",
            Max = 1,
        };
        var fleet = new FleetConfig { ControllerId = "fuzz", Forges = [config], Providers = [new ProviderConfig { Name = "none", Type = "none" }], Pools = [pool] };
        return module.Create(config, new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, NullLoggerFactory.Instance));
    }

    private static List<byte[]> Fixtures(params string[] folders)
    {
        var fixtures = new List<byte[]>();
        foreach (var folder in folders)
        {
            var path = SharedData.Folder(Path.Combine("data/fixtures", folder)) ?? throw new InvalidOperationException(SharedData.MissingMessage(Path.Combine("data/fixtures", folder)));
            fixtures.AddRange(Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes));
        }

        Assert.NotEmpty(fixtures);
        return fixtures;
    }
}
