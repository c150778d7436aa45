using Drover.Testing.GitHub;
using Drover.Testing.GitLab;

// The actions runner reads its inputs from ACTIONS_RUNNER_INPUT_<NAME>: the JIT configuration arrives in the
// environment, never on the command line. gitlab-runner reads CI_SERVER_URL and CI_SERVER_TOKEN the same way.
var jitConfig = Environment.GetEnvironmentVariable("ACTIONS_RUNNER_INPUT_JITCONFIG");
var gitlabToken = Environment.GetEnvironmentVariable("CI_SERVER_TOKEN");
var gitlabUrl = Environment.GetEnvironmentVariable("CI_SERVER_URL");
if (string.IsNullOrEmpty(jitConfig) && (string.IsNullOrEmpty(gitlabToken) || string.IsNullOrEmpty(gitlabUrl)))
{
    Console.Error.WriteLine("stand-in runner: set ACTIONS_RUNNER_INPUT_JITCONFIG (GitHub) or CI_SERVER_URL and CI_SERVER_TOKEN (GitLab)");
    return 2;
}

// A real runner takes a while from process start to online (unpacking, connecting); STANDIN_BOOT_MS stands for that.
if (int.TryParse(Environment.GetEnvironmentVariable("STANDIN_BOOT_MS"), out var bootMilliseconds) && bootMilliseconds > 0)
{
    await Task.Delay(bootMilliseconds);
}

// Not disposed: ProcessExit also fires after Main returns, and cancelling a disposed source would abort the exit.
var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
var job = string.IsNullOrEmpty(jitConfig)
    ? await GitLabStandInRunner.RunAsync(new Uri(gitlabUrl!), gitlabToken!, stop.Token)
    : await StandInRunner.RunAsync(jitConfig, stop.Token);
Console.WriteLine(job is { } id ? $"stand-in runner: ran job {id}" : "stand-in runner: stopped before a job");
return 0;
