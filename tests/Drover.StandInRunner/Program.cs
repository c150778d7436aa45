using Drover.Testing.GitHub;

// The actions runner reads its inputs from ACTIONS_RUNNER_INPUT_<NAME>: the JIT configuration arrives in the
// environment, never on the command line.
var jitConfig = Environment.GetEnvironmentVariable("ACTIONS_RUNNER_INPUT_JITCONFIG");
if (string.IsNullOrEmpty(jitConfig))
{
    Console.Error.WriteLine("stand-in runner: ACTIONS_RUNNER_INPUT_JITCONFIG is not set");
    return 2;
}

// Not disposed: ProcessExit also fires after Main returns, and cancelling a disposed source would abort the exit.
var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
var job = await StandInRunner.RunAsync(jitConfig, stop.Token);
Console.WriteLine(job is { } id ? $"stand-in runner: ran job {id}" : "stand-in runner: stopped before a job");
return 0;
