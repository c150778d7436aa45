namespace Drover.Providers.Ec2.Tests;

/// <summary>The user data scripts, rendered: golden files under <c>golden/</c> (set DROVER_UPDATE_GOLDEN=1 to rewrite them).</summary>
public sealed class UserDataScriptTests
{
    private const string Token = "tok_ONE-TIME_abc123";

    [Theory]
    [InlineData(false, UserDataScript.JitConfig, "linux-github.sh")]
    [InlineData(false, UserDataScript.RunnerToken, "linux-gitlab.sh")]
    [InlineData(true, UserDataScript.JitConfig, "windows-github.ps1")]
    [InlineData(true, UserDataScript.RunnerToken, "windows-gitlab.ps1")]
    public void Render_MatchesGoldenFile(bool windows, string kind, string golden)
    {
        var script = UserDataScript.Render(Values(windows ? InstanceOs.Windows : InstanceOs.Linux, kind));

        var path = Path.Combine(AppContext.BaseDirectory, "golden", golden);
        if (Environment.GetEnvironmentVariable("DROVER_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "golden", golden);
            File.WriteAllText(source, script);
            File.WriteAllText(path, script);
        }

        Assert.Equal(File.ReadAllText(path), script);
    }

    [Theory]
    [InlineData(false, UserDataScript.JitConfig)]
    [InlineData(false, UserDataScript.RunnerToken)]
    [InlineData(true, UserDataScript.JitConfig)]
    [InlineData(true, UserDataScript.RunnerToken)]
    public void Render_CarriesTokenAndUrlThatTheInstanceReads_AndShutsDownAtTheEnd(bool windows, string kind)
    {
        var os = windows ? InstanceOs.Windows : InstanceOs.Linux;
        var script = UserDataScript.Render(Values(os, kind));

        var read = Drover.Testing.Ec2.InstanceBootstrapClient.Read(script);
        Assert.Equal((new Uri("https://drover.example.com/"), Token), read);
        Assert.Contains("/api/v1/bootstrap/credential", script, StringComparison.Ordinal);
        Assert.Contains(os == InstanceOs.Windows ? "Stop-Computer -Force" : "shutdown -h now", script, StringComparison.Ordinal);
        Assert.Contains(kind == UserDataScript.JitConfig ? "ACTIONS_RUNNER_INPUT_JITCONFIG" : "run-single", script, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UserDataScript.JitConfig)]
    [InlineData(UserDataScript.RunnerToken)]
    public void Render_Linux_IsAShellScriptBashParses(string kind)
    {
        using var directory = new Drover.Testing.TempDirectory("drover-userdata-");
        var path = Path.Combine(directory.Path, "user-data.sh");
        File.WriteAllText(path, UserDataScript.Render(Values(InstanceOs.Linux, kind)));

        using var bash = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-n", path]) { RedirectStandardError = true })!;
        var error = bash.StandardError.ReadToEnd();
        bash.WaitForExit();

        Assert.True(bash.ExitCode == 0, error);
    }

    [Fact]
    public void Render_QuotesWhatItPutsInQuotes()
    {
        var values = Values(InstanceOs.Linux, UserDataScript.JitConfig) with { RunnerDir = "/opt/it's" };

        Assert.Contains("RUNNER_DIR='/opt/it'\\''s'", UserDataScript.Render(values), StringComparison.Ordinal);
        Assert.Contains("$RunnerDir = 'C:\\it''s'", UserDataScript.Render(values with { Os = InstanceOs.Windows, RunnerDir = "C:\\it's" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UnknownCredentialKind_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => UserDataScript.Render(Values(InstanceOs.Linux, "registration-token")));

        Assert.Contains("'registration-token'", error.Message, StringComparison.Ordinal);
    }

    private static UserDataScript.Values Values(InstanceOs os, string kind) => new(
        os, kind, new Uri("https://drover.example.com"), Token, TimeSpan.FromMinutes(15), "linux-x64", "drover-linux-x64-7f3a",
        os == InstanceOs.Windows ? @"C:\actions-runner" : "/opt/actions-runner", "2.329.0", kind == UserDataScript.RunnerToken ? new Uri("https://gitlab.example.com/") : null);
}
