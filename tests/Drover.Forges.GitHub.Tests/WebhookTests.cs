using System.Text;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Forges.GitHub.Webhooks;

using Drover.Testing;

namespace Drover.Forges.GitHub.Tests;

public sealed class WebhookTests
{
    private static readonly byte[] _body = """{"action":"queued","workflow_job":{"id":7,"run_id":3,"status":"queued","labels":["linux"],"created_at":"2026-01-02T03:04:05Z"},"repository":{"full_name":"acme/api"}}"""u8.ToArray();

    private static GitHubForge NewForge(bool withSecret = true) =>
        TestForges.Create(TestForges.Forge(withSecret: withSecret), TestForges.Fleet(TestForges.Forge(), TestForges.Pool("linux", new PoolScope(ScopeKind.Repository, "acme/api"), ["linux"])));

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    [Fact]
    public void Verify_CorrectSignature_Accepted()
    {
        using var forge = NewForge();
        var verdict = forge.Verify(Headers((WebhookSignature.Header, WebhookSignature.Sign(TestForges.WebhookSecret, _body))), _body);
        Assert.True(verdict.IsAccepted, verdict.Problem);
    }

    [Fact]
    public void Sign_GitHubsDocumentedExample_MatchesTheirDigest()
    {
        // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
        Assert.Equal("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", WebhookSignature.Sign(TestForges.WebhookSecret, "Hello, World!"u8));
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("sha1=abc", "not of the form")]
    [InlineData("sha256=zz", "not of the form")]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000", "does not match")]
    public void Verify_MissingOrWrongSignature_Unauthorized(string? signature, string expected)
    {
        using var forge = NewForge();
        var verdict = forge.Verify(signature is null ? Headers() : Headers((WebhookSignature.Header, signature)), _body);
        Assert.Equal(401, verdict.Status);
        Assert.Contains(expected, verdict.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(TestForges.WebhookSecret, verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SignedWithAnotherSecret_Unauthorized()
    {
        using var forge = NewForge();
        var verdict = forge.Verify(Headers((WebhookSignature.Header, WebhookSignature.Sign("another secret", _body))), _body);
        Assert.Equal(401, verdict.Status);
    }

    [Fact]
    public void Verify_BodyChangedAfterSigning_Unauthorized()
    {
        using var forge = NewForge();
        var signature = WebhookSignature.Sign(TestForges.WebhookSecret, _body);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(_body).Replace("linux", "gpu", StringComparison.Ordinal));
        Assert.Equal(401, forge.Verify(Headers((WebhookSignature.Header, signature)), tampered).Status);
    }

    [Fact]
    public void Verify_SignedButNotJson_Malformed()
    {
        using var forge = NewForge();
        var body = "action=queued&not=json"u8.ToArray();
        var verdict = forge.Verify(Headers((WebhookSignature.Header, WebhookSignature.Sign(TestForges.WebhookSecret, body))), body);
        Assert.Equal(400, verdict.Status);
        Assert.Contains("not JSON", verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ForgeWithoutWebhookSecret_RefusesEverything()
    {
        using var forge = NewForge(withSecret: false);
        var verdict = forge.Verify(Headers((WebhookSignature.Header, WebhookSignature.Sign(TestForges.WebhookSecret, _body))), _body);
        Assert.Equal(401, verdict.Status);
        Assert.Contains("no webhookSecret", verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WebhookSecretVariableUnset_ErrorNamesTheForgeAndVariable()
    {
        var forge = TestForges.Forge() with { WebhookSecret = new SecretRef(SecretSource.Env, "NOT_SET_ANYWHERE") };
        var e = Assert.Throws<InvalidOperationException>(() => TestForges.Create(forge, TestForges.Fleet(forge)));
        Assert.Contains("forge 'github' webhookSecret", e.Message, StringComparison.Ordinal);
        Assert.Contains("NOT_SET_ANYWHERE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WebhookSecretFromFile_TrailingNewlineIgnored()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, TestForges.WebhookSecret + "\n");
            var config = TestForges.Forge() with { WebhookSecret = new SecretRef(SecretSource.File, path) };
            using var forge = TestForges.Create(config, TestForges.Fleet(config));
            Assert.True(forge.Verify(Headers((WebhookSignature.Header, WebhookSignature.Sign(TestForges.WebhookSecret, _body))), _body).IsAccepted);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Interpret_OtherEvent_NoJobEvents()
    {
        using var forge = NewForge();
        var events = await forge.InterpretAsync(Delivery("""{"X-GitHub-Event":"push"}""", """{"ref":"refs/heads/main"}"""u8.ToArray()), CancellationToken.None);
        Assert.Empty(events);
    }

    [Fact]
    public async Task Interpret_UnknownAction_NoJobEvents()
    {
        using var forge = NewForge();
        var events = await forge.InterpretAsync(Delivery("""{"X-GitHub-Event":"workflow_job"}""", """{"action":"someday","workflow_job":{"id":1}}"""u8.ToArray()), CancellationToken.None);
        Assert.Empty(events);
    }

    [Fact]
    public async Task Interpret_WorkflowJobWithoutId_FormatExceptionNamesTheField()
    {
        using var forge = NewForge();
        var e = await Assert.ThrowsAsync<FormatException>(() => forge.InterpretAsync(
            Delivery("""{"X-GitHub-Event":"workflow_job"}""", """{"action":"queued","workflow_job":{"labels":[]}}"""u8.ToArray()), CancellationToken.None));
        Assert.Contains("workflow_job.id", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"action":"queued","workflow_job":{"id":"abc","labels":[]}}""", "workflow_job.id")]
    [InlineData("""{"action":"queued","workflow_job":{"id":1,"run_id":"x","labels":[]}}""", "")]
    [InlineData("""{"action":"queued","workflow_job":{"id":1,"labels":["\ud800"]}}""", "not valid Unicode")]
    [InlineData("""{"action":17,"workflow_job":{"id":1}}""", "")]
    public async Task Interpret_PoisonPayload_IsUnreadable_NeverRetried(string body, string where)
    {
        // A signed delivery with fields of the wrong kind must be unreadable (marked processed), not a failure the
        // leader retries every cycle: 500 of them once spun the loop and held back every valid job behind them.
        using var forge = NewForge();
        var delivery = Delivery("""{"X-GitHub-Event":"workflow_job"}""", System.Text.Encoding.UTF8.GetBytes(body));

        try
        {
            var events = await forge.InterpretAsync(delivery, CancellationToken.None);
            Assert.All(events, e => Assert.Null(e.RunId));
        }
        catch (FormatException e)
        {
            Assert.Contains(where, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Interpret_CancelledCompletion_CancelledEvent()
    {
        using var forge = NewForge();
        var events = await forge.InterpretAsync(
            Delivery("""{"X-GitHub-Event":"workflow_job"}""", """{"action":"completed","workflow_job":{"id":9,"status":"completed","conclusion":"cancelled","completed_at":"2026-01-01T00:00:00Z","labels":["linux"]},"repository":{"full_name":"acme/api"}}"""u8.ToArray()),
            CancellationToken.None);
        Assert.Equal(JobEventKind.Cancelled, Assert.Single(events).Kind);
    }

    /// <summary>What one fixture must become in a fresh ledger.</summary>
    private sealed record Expected(string Id, JobState State, string Labels, string Scope, long? RunId, string? Runner, string At);

    private static readonly Dictionary<string, Expected> _golden = new(StringComparer.Ordinal)
    {
        ["workflow_job/queued.payload.json"] = new("289782451", JobState.Queued, "ubuntu-latest", "Codertocat/Hello-World", 2202229078, null, "2021-09-13T02:21:13Z"),
        ["workflow_job/queued.with-deployment.payload.json"] = new("12877621891", JobState.Queued, "self-hosted;k8s", "lineville/elastic-machines-testing", 4747967848, null, "2023-04-19T21:12:12Z"),
        ["workflow_job/waiting.payload.json"] = new("12877621891", JobState.Queued, "self-hosted;k8s", "lineville/elastic-machines-testing", 4747967848, null, "2023-04-19T21:12:12Z"),
        ["workflow_job/in_progress.payload.json"] = new("289782451", JobState.Running, "ubuntu-latest", "Codertocat/Hello-World", 2202229078, "GitHub Actions 5", "2021-09-13T02:21:13Z"),
        ["workflow_job/in_progress.with-queued-steps.payload.json"] = new("14541957942", JobState.Running, "ubuntu-latest", "wolfy1339/github-events-schemas", 5373506832, "GitHub Actions 6", "2023-06-26T03:31:36Z"),
        ["workflow_job/completed.success.with-organization.payload.json"] = new("289782451", JobState.Completed, "ubuntu-latest", "Codertocat/Hello-World", 2202229078, "GitHub Actions 5", "2021-08-05T10:38:16Z"),
        ["workflow_job/completed.failure.with-organization.payload.json"] = new("289782451", JobState.Completed, "ubuntu-latest", "Codertocat/Hello-World", 2202229078, "GitHub Actions 5", "2021-08-05T10:38:16Z"),
        ["arc/org_webhook_workflow_job_payload.json"] = new("1234567890", JobState.Queued, "label1", "MYORG/MYREPO", 1234567890, null, "2021-09-28T23:45:29Z"),
        ["arc/org_webhook_workflow_job_with_self_hosted_label_payload.json"] = new("1234567890", JobState.Queued, "self-hosted;label1", "MYORG/MYREPO", 1234567890, null, "2021-09-28T23:45:29Z"),
    };

    [SharedDataFact(GitHubFixtures.Fixtures)]
    public async Task Interpret_EveryWorkflowJobFixture_BecomesTheExpectedLedgerEntry()
    {
        var fixtures = GitHubFixtures.FixturesIn("workflow_job").Concat(GitHubFixtures.FixturesIn("arc")).ToList();
        Assert.NotEmpty(fixtures);
        Assert.Equal(_golden.Keys.Order(StringComparer.Ordinal), fixtures.Order(StringComparer.Ordinal));
        using var forge = NewForge();
        foreach (var fixture in fixtures)
        {
            var body = await File.ReadAllBytesAsync(GitHubFixtures.FixturePath(fixture));

            // The whole path: the signed request is verified, then the stored delivery interpreted into the ledger.
            var verdict = forge.Verify(Headers((WebhookSignature.Header, WebhookSignature.Sign(TestForges.WebhookSecret, body)), ("X-GitHub-Event", "workflow_job")), body);
            Assert.True(verdict.IsAccepted, $"{fixture}: {verdict.Problem}");
            var events = await forge.InterpretAsync(Delivery("""{"X-GitHub-Event":"workflow_job"}""", body, "delivery-" + fixture), CancellationToken.None);
            var e = Assert.Single(events);
            Assert.Equal("delivery-" + fixture, e.DeliveryId);

            var ledger = new JobLedger();
            Assert.Equal(LedgerApplyResult.Added, ledger.Apply(e));
            var job = Assert.Single(ledger.Jobs);
            var expected = _golden[fixture];
            var at = DateTimeOffset.Parse(expected.At, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(new JobKey("github", expected.Id), job.Key);
            Assert.True(expected.State == job.State, $"{fixture}: state {job.State}, expected {expected.State}");
            Assert.Equal(expected.Labels.Split(';'), job.Labels);
            Assert.Equal(expected.Scope, job.Scope);
            Assert.Equal(expected.RunId, job.RunId);
            Assert.Equal(expected.Runner, job.RunnerName);
            Assert.Equal(at, job.LastEventAt);
            Assert.Equal(expected.State == JobState.Queued ? at : null, job.QueuedAt);
            Assert.Equal(expected.State == JobState.Running ? at : null, job.StartedAt);
            Assert.Equal(expected.State == JobState.Completed ? at : null, job.FinishedAt);

            // A second delivery of the same payload is a duplicate for the ledger.
            Assert.Equal(LedgerApplyResult.Duplicate, ledger.Apply(e));
        }
    }

    [SharedDataFact(GitHubFixtures.Fixtures)]
    public async Task Interpret_QueuedThenInProgressThenCompletedFixtures_OneJobRunToCompletion()
    {
        using var forge = NewForge();
        var ledger = new JobLedger();
        foreach (var (fixture, id) in new[] { ("workflow_job/completed.success.with-organization.payload.json", "c"), ("workflow_job/queued.payload.json", "q"), ("workflow_job/in_progress.payload.json", "s") })
        {
            // Out of order on purpose: the ledger keeps the furthest state and fills the facts.
            foreach (var e in await forge.InterpretAsync(Delivery("{}", await File.ReadAllBytesAsync(GitHubFixtures.FixturePath(fixture)), id), CancellationToken.None))
            {
                ledger.Apply(e);
            }
        }

        var job = Assert.Single(ledger.Jobs);
        Assert.Equal(JobState.Completed, job.State);
        Assert.NotNull(job.QueuedAt);
        Assert.NotNull(job.StartedAt);
        Assert.Equal("GitHub Actions 5", job.RunnerName);
    }

    private static WebhookDelivery Delivery(string headers, byte[] body, string id = "d-1") => new()
    {
        Forge = "github",
        DeliveryId = id,
        ReceivedAt = DateTimeOffset.Parse("2026-11-23T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        HeadersJson = headers,
        Body = body,
    };
}
