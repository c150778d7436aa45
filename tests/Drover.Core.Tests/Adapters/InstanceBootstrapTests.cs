using Drover.Core.Adapters;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Core.Tests.Adapters;

public sealed class InstanceBootstrapTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    private static RunnerCredential Jit() => new("jit-config", "eyJzZWNyZXQiOiJ2YWx1ZSJ9");

    [Fact]
    public void TakeCredential_HandsTheCredentialOutOnce()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var token = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));

        Assert.Equal("eyJzZWNyZXQiOiJ2YWx1ZSJ9", bootstrap.TakeCredential(token)?.Reveal());
        Assert.Null(bootstrap.TakeCredential(token));
        var session = bootstrap.Authenticate(token);
        Assert.NotNull(session);
        Assert.Equal(("linux", "linux-abc", true), (session.Pool, session.RunnerName, session.CredentialTaken));
    }

    [Fact]
    public void Token_IsWorthlessAfterItExpires()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var token = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(bootstrap.Authenticate(token));
        Assert.Null(bootstrap.TakeCredential(token));
        Assert.Equal(0, bootstrap.Count);
    }

    [Fact]
    public void Close_MakesEveryTokenOfTheRunnerWorthless_OthersStay()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var first = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));
        var second = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));
        var other = bootstrap.Issue("linux", "linux-def", Jit(), TimeSpan.FromMinutes(10));

        bootstrap.Close("linux-abc");

        Assert.Null(bootstrap.TakeCredential(first));
        Assert.Null(bootstrap.Authenticate(second));
        Assert.NotNull(bootstrap.TakeCredential(other));
        Assert.Equal(1, bootstrap.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    public void UnknownTokens_OpenNothing(string? token)
    {
        var bootstrap = new InstanceBootstrap(_time);
        bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));

        Assert.Null(bootstrap.Authenticate(token));
        Assert.Null(bootstrap.TakeCredential(token));
    }

    [Fact]
    public void Tokens_AreLongRandomAndUrlSafe()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var tokens = Enumerable.Range(0, 100).Select(i => bootstrap.Issue("linux", $"r{i}", Jit(), TimeSpan.FromMinutes(1))).ToList();

        Assert.Equal(100, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{43}$", t));
    }

    [Fact]
    public void ConcurrentTakes_OnlyOneGetsTheCredential()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var token = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));

        var taken = 0;
        Parallel.For(0, 64, _ =>
        {
            if (bootstrap.TakeCredential(token) is not null)
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(1, taken);
    }

    [Fact]
    public void ReadCredential_GivesTheCredentialWhileBooting_ButNotAfterItWasTaken()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var token = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));

        Assert.Equal("eyJzZWNyZXQiOiJ2YWx1ZSJ9", bootstrap.ReadCredential(token)?.Reveal());
        Assert.Equal("eyJzZWNyZXQiOiJ2YWx1ZSJ9", bootstrap.ReadCredential(token)?.Reveal());
        Assert.Equal("jit-config", bootstrap.Authenticate(token)?.CredentialKind);
        Assert.NotNull(bootstrap.TakeCredential(token));
        Assert.Null(bootstrap.ReadCredential(token));
        Assert.Null(bootstrap.ReadCredential("not-a-token"));
    }

    [Fact]
    public void ReportStatus_FollowsGarmsTransitions_AndIdleEndsTheToken()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var token = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));

        Assert.Equal(BootstrapStatusReport.Accepted, bootstrap.ReportStatus(token, "", out _));
        Assert.Equal(BootstrapStatusReport.Accepted, bootstrap.ReportStatus(token, "installing", out var session));
        Assert.Equal("linux-abc", session?.RunnerName);
        Assert.Equal(BootstrapStatusReport.Accepted, bootstrap.ReportStatus(token, "installing", out _));
        Assert.Equal("installing", bootstrap.Authenticate(token)?.Status);
        Assert.Equal(BootstrapStatusReport.InvalidTransition, bootstrap.ReportStatus(token, "pending", out _));
        Assert.Equal(BootstrapStatusReport.InvalidTransition, bootstrap.ReportStatus(token, "active", out _));
        Assert.Equal(BootstrapStatusReport.Accepted, bootstrap.ReportStatus(token, "idle", out _));

        Assert.Null(bootstrap.Authenticate(token));
        Assert.Null(bootstrap.ReadCredential(token));
        Assert.Equal(BootstrapStatusReport.InvalidToken, bootstrap.ReportStatus(token, "idle", out _));
    }

    [Fact]
    public void ReportStatus_FailedFromPending_EndsTheToken()
    {
        var bootstrap = new InstanceBootstrap(_time);
        var token = bootstrap.Issue("linux", "linux-abc", Jit(), TimeSpan.FromMinutes(10));

        Assert.Equal(BootstrapStatusReport.Accepted, bootstrap.ReportStatus(token, "failed", out _));

        Assert.Null(bootstrap.TakeCredential(token));
    }
}
