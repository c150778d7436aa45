using System.Text.Json;
using Drover.Core.Demand;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Forges.GitHub.Webhooks;
using Drover.Testing;

namespace Drover.Forges.GitHub.Tests;

/// <summary>
/// What GitHub tells of a job's ref, for priority classes: the webhook's <c>head_branch</c> against the repository's
/// <c>default_branch</c> and the deployment's environment (real payloads), and a workflow run's <c>event</c>, which
/// the poller knows and the webhook does not.
/// </summary>
public sealed class JobRefTests
{
    private static readonly DateTimeOffset _at = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static JobEvent Webhook(string fixture) =>
        WorkflowJobReader.ReadWebhook("workflow_job", File.ReadAllBytes(GitHubFixtures.FixturePath(fixture)), "github", "d", _at)!;

    [SharedDataFact(GitHubFixtures.Fixtures)]
    public void Webhook_RealPayloads_TellTheRefItsKindAndTheDeploymentEnvironment()
    {
        // queued.payload.json runs on main in a repository whose default branch is master: another branch. ARC's
        // payload names no head_branch: nothing is told, and the job is of the lowest priority class.
        (string Fixture, string? Ref, JobRefKind? Kind, string? Environment)[] cases =
        [
            ("workflow_job/queued.with-deployment.payload.json", "main", JobRefKind.DefaultBranch, "Test"),
            ("workflow_job/waiting.payload.json", "main", JobRefKind.DefaultBranch, null),
            ("workflow_job/queued.payload.json", "main", JobRefKind.Branch, null),
            ("workflow_job/in_progress.with-queued-steps.payload.json", "renovate/got-13.x", JobRefKind.Branch, null),
            ("arc/org_webhook_workflow_job_payload.json", null, null, null),
        ];
        foreach (var (fixture, reference, kind, environment) in cases)
        {
            var e = Webhook(fixture);
            Assert.True((reference, kind, environment) == (e.Ref, e.RefKind, e.Environment), $"{fixture}: {e.Ref}, {e.RefKind}, {e.Environment}");
        }
    }

    [SharedDataFact(GitHubFixtures.Fixtures)]
    public void Ledger_WebhookSaysBranch_PollerSaysPullRequest_ThePullRequestIsKeptInEitherOrder()
    {
        var webhook = Webhook("workflow_job/in_progress.with-queued-steps.payload.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(GitHubFixtures.FixturePath("workflow_job/in_progress.with-queued-steps.payload.json")));
        var run = WorkflowJobReader.ReadRun(JsonDocument.Parse("""{"id":1,"event":"pull_request","head_branch":"renovate/got-13.x"}""").RootElement);
        var polled = WorkflowJobReader.ReadJob(document.RootElement.GetProperty("workflow_job"), "github", "octo-org/example-workflow", _at, run)!;
        Assert.Equal(JobRefKind.PullRequest, polled.RefKind);

        foreach (var order in new[] { new[] { webhook, polled }, [polled, webhook] })
        {
            var ledger = new JobLedger();
            foreach (var e in order)
            {
                ledger.Apply(e with { DeliveryId = null });
            }

            var job = Assert.Single(ledger.Jobs);
            Assert.Equal(("renovate/got-13.x", JobRefKind.PullRequest), (job.Ref, job.RefKind));
        }
    }

    [Theory]
    [InlineData("""{"event":"pull_request_target","repository":{"default_branch":"main"}}""", "main", JobRefKind.PullRequest)]
    [InlineData("""{"event":"push","repository":{"default_branch":"main"}}""", "main", JobRefKind.DefaultBranch)]
    [InlineData("""{"event":"push","repository":{"default_branch":"main"}}""", "feature", JobRefKind.Branch)]
    [InlineData("""{"event":"push","repository":{"full_name":"acme/api"}}""", "main", null)]
    public void Run_EventAndDefaultBranch_ClassifyItsJobs(string run, string headBranch, JobRefKind? kind)
    {
        using var document = JsonDocument.Parse(run);

        Assert.Equal(kind, WorkflowJobReader.Classify(headBranch, WorkflowJobReader.ReadRun(document.RootElement)));
    }
}
