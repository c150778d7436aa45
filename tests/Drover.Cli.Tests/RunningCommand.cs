using Drover.Testing;

namespace Drover.Cli.Tests;

/// <summary>A command running in the background: its output so far, and a way to stop it (as Ctrl-C does).</summary>
/// <remarks>The command writes through synchronized wrappers, which lock on themselves; reads take the same lock.</remarks>
internal sealed class RunningCommand(Task<int> run, CancellationTokenSource stop, (StringWriter Text, TextWriter Lock) output, (StringWriter Text, TextWriter Lock) error) : IAsyncDisposable
{
    public string Output => Read(output);

    public string Error => Read(error);

    /// <summary>Waits until the output contains <paramref name="text"/>; fails after 30 s or when the command ends first.</summary>
    public Task WaitForOutputAsync(string text) =>
        Eventually.ThatAsync(
            () =>
            {
                var printed = Output;
                Assert.False(run.IsCompleted && !printed.Contains(text, StringComparison.Ordinal), $"the command ended (exit {(run.IsCompletedSuccessfully ? run.Result : -1)}) before printing '{text}'. Output:\n{printed}\nError:\n{Error}");
                return printed;
            },
            printed => printed.Contains(text, StringComparison.Ordinal),
            $"'{text}' printed",
            printed => $"output:\n{printed}");

    /// <summary>Stops the command and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await stop.CancelAsync();
        return await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!run.IsCompleted)
        {
            await stop.CancelAsync();
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
            }
        }

        stop.Dispose();
        output.Text.Dispose();
        error.Text.Dispose();
    }

    private static string Read((StringWriter Text, TextWriter Lock) writer)
    {
        lock (writer.Lock)
        {
            return writer.Text.ToString();
        }
    }
}
