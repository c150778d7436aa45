using System.CommandLine;
using System.Globalization;
using Drover.Core.Config;
using Drover.Engine.Execution;
using Drover.Forges.GitHub;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Auth;
using Drover.Forges.GitHub.Traces;
using Drover.Simulation.Traces;

namespace Drover.Cli;

/// <summary><c>drover trace pull github --repo o/r [--since DATE] --out F</c>: a repository's Actions history as a job trace.</summary>
internal static class TracePullCommand
{
    public static Command Create()
    {
        var command = new Command("pull", "Read a forge's CI history into a job trace for the capacity planner.");
        command.Subcommands.Add(CreateGitHub());
        return command;
    }

    private static Command CreateGitHub()
    {
        var repo = new Option<string>("--repo") { Description = "Repository, owner/name", Required = true };
        var since = new Option<string?>("--since") { Description = "Only runs created at or after this date or time (ISO-8601, UTC unless an offset is given)" };
        var output = new Option<FileInfo>("--out") { Description = "Job CSV to write", Required = true };
        var url = new Option<string>("--url") { Description = "API base URL; https://HOST/api/v3 for GitHub Enterprise Server", DefaultValueFactory = _ => "https://api.github.com" };
        var token = new Option<string>("--token") { Description = "Where the token is: env:NAME or file:/path (never the token itself)", DefaultValueFactory = _ => "env:GITHUB_TOKEN" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        var command = new Command("github", "Page through a GitHub repository's workflow runs and jobs (rate-limit aware) and write the job trace.")
        {
            repo, since, output, url, token, quiet,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var repository = parse.GetValue(repo)!;
            if (repository.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            {
                error.WriteLine($"--repo: '{repository}' is not of the form owner/name");
                return 2;
            }

            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("https" or "http"))
            {
                error.WriteLine($"--url: '{parse.GetValue(url)}' is not an http(s) URL");
                return 2;
            }

            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    error.WriteLine($"--since: '{text}' is not a date (e.g. 2026-11-01 or 2026-11-01T08:00:00Z)");
                    return 2;
                }

                from = parsed.ToUniversalTime();
            }

            if (!SecretRef.TryParse(parse.GetValue(token), out var reference) || reference is null)
            {
                error.WriteLine($"--token: '{parse.GetValue(token)}' is not a reference (env:NAME or file:/path)");
                return 2;
            }

            using var client = new GitHubApiClient(baseUrl, new RateLimitGate(TimeProvider.System, TimeSpan.FromSeconds(5), 4))
            {
                Auth = new TokenAuth(reference, new SecretResolver(), "--token"),
            };
            var barWriter = parse.GetValue(quiet) || !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected ? null : error;
            Trace trace;
            try
            {
                using var bar = barWriter is null ? null : new ProgressBar(barWriter, 1);
                var progress = new SynchronousProgress(p => bar?.Report(
                    p.WaitingUntil is { } until ? $"{repository} (rate limited until {until:HH:mm:ss}Z)" : $"{repository} run {p.RunsDone}/{p.RunsTotal}, {p.Jobs} jobs",
                    p.RunsTotal == 0 ? 0 : (double)p.RunsDone / p.RunsTotal));
                trace = await new GitHubTracePuller(client, TimeProvider.System).PullAsync(repository, from, progress, cancellationToken);
            }
            catch (Exception e) when (e is GitHubApiException or InvalidOperationException or HttpRequestException)
            {
                error.WriteLine($"trace pull github {repository}: {e.Message}");
                return 1;
            }

            var file = parse.GetValue(output)!;
            try
            {
                JobCsv.Write(trace, file.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"{file}: {e.Message}");
                return 1;
            }

            var console = parse.InvocationConfiguration.Output;
            console.WriteLine(trace.Summary());
            foreach (var note in trace.Notes)
            {
                console.WriteLine($"  note: {note}");
            }

            console.WriteLine($"wrote {file}");
            return 0;
        });
        return command;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder reports).</summary>
    private sealed class SynchronousProgress(Action<TracePullProgress> report) : IProgress<TracePullProgress>
    {
        public void Report(TracePullProgress value) => report(value);
    }
}
