using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Testing.GitHub;

namespace Drover.Forges.GitHub.Tests;

/// <summary>Re-running a job lost with its runner: <c>POST /repos/{o}/{r}/actions/jobs/{id}/rerun</c>.</summary>
public sealed class RerunTests
{
    private static readonly PoolScope _repo = new(ScopeKind.Repository, "acme/api");

    private static async Task<(GitHubEmulator Emulator, GitHubForge Forge)> StartAsync()
    {
        var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        var config = TestForges.Forge(emulator.ApiUrl);
        return (emulator, TestForges.Create(config, TestForges.Fleet(config, TestForges.Pool("linux", _repo, ["linux"]))));
    }

    /// <summary>A run of one job, taken by a runner whose machine is then lost (the job failed at once, or left in progress).</summary>
    private static (long Job, long Run) LoseAJob(GitHubEmulator emulator, bool failJob)
    {
        emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.FromMinutes(5)));
        var runner = emulator.AddRunner("/repos/acme/api", "drover-linux-1", ["linux"], online: true);
        var job = emulator.TakeJob(runner.Id)!;
        emulator.LoseRunner(runner.Id, failJob);
        return (job.Id, job.RunId);
    }

    private static JobRerun Lost(long job, long run) => new()
    {
        Job = new JobKey("github", job.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        OriginJobId = job.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Attempt = 1,
        State = JobRerunState.Pending,
        Pool = "linux",
        RunnerId = "drover-linux-1",
        Provider = "stand-in",
        Reason = "spot interruption",
        Scope = "acme/api",
        RunId = run,
        LostAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task RerunJob_LostJobOfACompletedRun_NewAttemptQueuesItUnderANewId()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        var (job, run) = LoseAJob(emulator, failJob: true);

        var answer = await forge.RerunJobAsync(Lost(job, run), CancellationToken.None);

        Assert.True(answer.Accepted);
        var again = Assert.Single(emulator.Jobs(), j => j.Id != job);
        Assert.Equal(again.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), answer.NewJobId);
        Assert.Equal(("build", "queued", 2, run), (again.Name, again.Status, again.RunAttempt, again.RunId));
        Assert.Single(emulator.Requests, r => r == $"POST /repos/acme/api/actions/jobs/{job}/rerun 201");
    }

    [Fact]
    public async Task RerunJob_JobThatSucceededAtGitHub_IsRefused_NothingPosted()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        var (job, run) = LoseAJob(emulator, failJob: false);
        var held = Assert.Single(emulator.Jobs());
        (held.Status, held.Conclusion) = ("completed", "success");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => forge.RerunJobAsync(Lost(job, run), CancellationToken.None));

        Assert.Equal(CallFailureKind.Configuration, CallFailures.Classify(error).Kind);
        Assert.Contains("succeeded", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RerunJob_JobStillInProgressAtGitHub_NotYet_NothingPosted()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        var (job, run) = LoseAJob(emulator, failJob: false);

        var answer = await forge.RerunJobAsync(Lost(job, run), CancellationToken.None);

        Assert.False(answer.Accepted);
        Assert.Contains("in_progress", answer.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));

        emulator.FailLostJob(job);
        Assert.True((await forge.RerunJobAsync(Lost(job, run), CancellationToken.None)).Accepted);
    }

    [Fact]
    public async Task RerunJob_AskedAgainAfterTheAnswerWasLost_NamesTheSameNewJob_NoSecondRerun()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        var (job, run) = LoseAJob(emulator, failJob: true);
        emulator.Faults.LoseAnswerNext = 1;

        await Assert.ThrowsAnyAsync<Exception>(() => forge.RerunJobAsync(Lost(job, run), CancellationToken.None));
        var answer = await forge.RerunJobAsync(Lost(job, run), CancellationToken.None);

        Assert.True(answer.Accepted);
        var again = Assert.Single(emulator.Jobs(), j => j.Id != job);
        Assert.Equal(again.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), answer.NewJobId);
        Assert.Single(emulator.Requests, r => r.StartsWith($"POST /repos/acme/api/actions/jobs/{job}/rerun", StringComparison.Ordinal));
    }
}
