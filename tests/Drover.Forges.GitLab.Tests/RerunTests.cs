using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Testing;
using Drover.Testing.GitLab;

namespace Drover.Forges.GitLab.Tests;

/// <summary>Retrying a job lost with its runner: <c>POST /projects/:id/jobs/:job_id/retry</c>, against the emulator.</summary>
public sealed class RerunTests
{
    private const string Token = "glpat-rerun";

    private static GitLabForge Forge(GitLabEmulator gitlab)
    {
        var forge = new ForgeConfig
        {
            Name = "gitlab",
            Kind = ForgeKind.GitLab,
            Url = gitlab.Url,
            Auth = new ForgeAuth { Token = new SecretRef(SecretSource.Env, "GL_TOKEN") },
        };
        var fleet = new FleetConfig
        {
            ControllerId = "drover",
            Forges = [forge],
            Providers = [new ProviderConfig { Name = "local", Type = "process" }],
            Pools = [new PoolConfig { Name = "docker", Forge = "gitlab", Scope = new PoolScope(ScopeKind.Group, "acme"), Tags = ["docker"], Provider = "local" }],
        };
        var options = GitLabForgeOptions.Default with { Environment = name => name == "GL_TOKEN" ? Token : null, Polling = false };
        return (GitLabForge)GitLabForgeFactory.Create(forge, new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, new ListLogger()), options);
    }

    private static JobRerun Lost(long job) => new()
    {
        Job = new JobKey("gitlab", job.ToString(CultureInfo.InvariantCulture)),
        OriginJobId = job.ToString(CultureInfo.InvariantCulture),
        Attempt = 1,
        State = JobRerunState.Pending,
        Pool = "docker",
        RunnerId = "drover-docker-1",
        Provider = "local",
        Reason = "spot interruption",
        Scope = "acme/api",
        LostAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private static long LoseAJob(GitLabEmulator gitlab, bool failJob, string runnerName = "drover-docker-1")
    {
        gitlab.Queue(101, ["docker"], TimeSpan.FromMinutes(5), name: "test");
        var runner = gitlab.AddRunner(10, runnerName, ["docker"]);
        var job = gitlab.TakeJob(runner)!.Value;
        gitlab.LoseRunner(runner, failJob);
        return job;
    }

    [Fact]
    public async Task RerunJob_FailedWithItsRunner_RetriedAsANewPendingJobInThePipeline()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        using var forge = Forge(gitlab);
        var job = LoseAJob(gitlab, failJob: true);

        var answer = await forge.RerunJobAsync(Lost(job), CancellationToken.None);

        Assert.True(answer.Accepted);
        var old = Assert.Single(gitlab.Jobs(), j => j.Id == job);
        var retry = Assert.Single(gitlab.Jobs(), j => j.Id != job);
        Assert.Equal(retry.Id.ToString(CultureInfo.InvariantCulture), answer.NewJobId);
        Assert.Equal(("test", "pending", old.Pipeline), (retry.Name, retry.Status, retry.Pipeline));
        Assert.True(old.Retried);
    }

    [Fact]
    public async Task RerunJob_JobThatSucceededAtGitLab_IsRefused_NothingRetried()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        using var forge = Forge(gitlab);
        var job = LoseAJob(gitlab, failJob: false);
        Assert.Single(gitlab.Jobs()).Status = "success";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => forge.RerunJobAsync(Lost(job), CancellationToken.None));

        Assert.Equal(CallFailureKind.Configuration, CallFailures.Classify(error).Kind);
        Assert.Contains("succeeded", error.Message, StringComparison.Ordinal);
        Assert.Single(gitlab.Jobs());
    }

    [Fact]
    public async Task RerunJob_StillRunningAtGitLabOnTheLostRunner_CanceledThenRetried()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        using var forge = Forge(gitlab);
        // GitLab has not noticed yet that the runner is gone: the job shows running on it until the job's timeout.
        var job = LoseAJob(gitlab, failJob: false);

        var answer = await forge.RerunJobAsync(Lost(job), CancellationToken.None);

        Assert.True(answer.Accepted);
        Assert.Equal("canceled", Assert.Single(gitlab.Jobs(), j => j.Id == job).Status);
        var retry = Assert.Single(gitlab.Jobs(), j => j.Id != job);
        Assert.Equal(("test", "pending"), (retry.Name, retry.Status));
        Assert.Equal(retry.Id.ToString(CultureInfo.InvariantCulture), answer.NewJobId);
    }

    [Fact]
    public async Task RerunJob_RunningOnAnotherRunner_NotYet_NothingCanceledOrRetried()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        using var forge = Forge(gitlab);
        // The job the lost runner had is running elsewhere (say GitLab handed it on): it is not Drover's to cancel.
        var job = LoseAJob(gitlab, failJob: false, runnerName: "shared-runner-7");

        var answer = await forge.RerunJobAsync(Lost(job), CancellationToken.None);

        Assert.False(answer.Accepted);
        Assert.Contains("running", answer.Message, StringComparison.Ordinal);
        Assert.Equal("running", Assert.Single(gitlab.Jobs()).Status);
    }

    [Fact]
    public async Task RerunJob_AskedAgain_NamesTheSameRetry_NoSecondOne()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        using var forge = Forge(gitlab);
        var job = LoseAJob(gitlab, failJob: true);

        var first = await forge.RerunJobAsync(Lost(job), CancellationToken.None);
        var second = await forge.RerunJobAsync(Lost(job), CancellationToken.None);

        Assert.True(second.Accepted);
        Assert.Equal(first.NewJobId, second.NewJobId);
        Assert.Equal(2, gitlab.Jobs().Count);
    }
}
