using Drover.Core.Demand;

namespace Drover.Core.Tests.Demand;

/// <summary>A key hashes its id alone, but stays equal only to a key of the same forge and id.</summary>
public sealed class JobKeyTests
{
    [Fact]
    public void SameIdOnTwoForges_AreTwoKeys_InALedger()
    {
        var at = new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);
        var github = new JobKey("github", "42");
        var gitlab = new JobKey("gitlab", "42");
        var ledger = new JobLedger();

        ledger.Apply(new JobEvent { Key = github, Kind = JobEventKind.Queued, At = at });
        ledger.Apply(new JobEvent { Key = gitlab, Kind = JobEventKind.Started, At = at });

        Assert.NotEqual(github, gitlab);
        Assert.Equal(2, ledger.Count);
        Assert.Equal(JobState.Queued, ledger.Get(github)?.State);
        Assert.Equal(JobState.Running, ledger.Get(gitlab)?.State);
    }

    [Fact]
    public void EqualKeys_HashAlike()
    {
        var a = new JobKey("github", string.Concat("12", "34"));
        var b = new JobKey(string.Concat("git", "hub"), "1234");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(new JobKey("github", null!).GetHashCode(), new JobKey("gitlab", null!).GetHashCode());
    }
}
