using System.CommandLine;
using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Traces;
using Drover.Engine.Execution;
using Drover.Forges.GitHub;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Auth;
using Drover.Forges.GitHub.Traces;
using Drover.Forges.GitLab.Api;
using Drover.Forges.GitLab.Traces;
using Drover.Simulation.Traces;

namespace Drover.Cli;

/// <summary>
/// <c>drover trace pull github --repo o/r [--since DATE] --out F</c> and <c>drover trace pull gitlab --project P|--group G
/// [--since DATE] --out F</c>: a forge's CI history as a job trace.
/// </summary>
internal static class TracePullCommand
{
    public static Command Create()
    {
        var command = new Command("pull", "Read a forge's CI history into a job trace for the capacity planner.");
        command.Subcommands.Add(CreateGitHub());
        command.Subcommands.Add(CreateGitLab());
        return command;
    }

    private static Command CreateGitHub()
    {
        var repo = new Option<string>("--repo") { Description = "Repository, owner/name", Required = true };
        var url = new Option<string>("--url") { Description = "API base URL; https://HOST/api/v3 for GitHub Enterprise Server", DefaultValueFactory = _ => "https://api.github.com" };
        var token = new Option<string>("--token") { Description = "Where the token is: env:NAME or file:/path (never the token itself)", DefaultValueFactory = _ => "env:GITHUB_TOKEN" };
        var common = new CommonOptions("runs");
        var command = new Command("github", "Page through a GitHub repository's workflow runs and jobs (rate-limit aware) and write the job trace.")
        {
            repo, url, token, common.Since, common.Output, common.Quiet,
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

            if (!common.TryRead(parse, url, token, out var baseUrl, out var from, out var reference))
            {
                return 2;
            }

            using var client = new GitHubApiClient(baseUrl, new RateLimitGate(TimeProvider.System, TimeSpan.FromSeconds(5), 4))
            {
                Auth = new TokenAuth(reference, new SecretResolver(), "--token"),
            };
            return await common.PullAsync(
                parse,
                $"trace pull github {repository}",
                p => p.WaitingUntil is { } until ? $"{repository} (rate limited until {until:HH:mm:ss}Z)" : $"{repository} run {p.RunsDone}/{p.RunsTotal}, {p.Jobs} jobs",
                progress => new GitHubTracePuller(client, TimeProvider.System).PullAsync(repository, from, progress, cancellationToken),
                e => e is GitHubApiException).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateGitLab()
    {
        var project = new Option<string?>("--project") { Description = "Project, by path (group/project) or id" };
        var group = new Option<string?>("--group") { Description = "Group, by path or id: every project of it and its subgroups" };
        var url = new Option<string>("--url") { Description = "The GitLab instance", DefaultValueFactory = _ => "https://gitlab.com" };
        var token = new Option<string>("--token") { Description = "Where the token is (read_api): env:NAME or file:/path (never the token itself)", DefaultValueFactory = _ => "env:GITLAB_TOKEN" };
        var common = new CommonOptions("projects");
        var command = new Command("gitlab", "Page through the finished jobs of a GitLab project or group (within the request budget) and write the job trace.")
        {
            project, group, url, token, common.Since, common.Output, common.Quiet,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var (projectPath, groupPath) = (parse.GetValue(project), parse.GetValue(group));
            if ((projectPath is null) == (groupPath is null))
            {
                error.WriteLine("give exactly one of --project and --group");
                return 2;
            }

            if (!common.TryRead(parse, url, token, out var baseUrl, out var from, out var reference))
            {
                return 2;
            }

            var scope = projectPath is not null ? new PoolScope(ScopeKind.Project, projectPath.Trim('/')) : new PoolScope(ScopeKind.Group, groupPath!.Trim('/'));
            var secrets = new SecretResolver();
            using var client = new GitLabApiClient(baseUrl, () => secrets.Resolve(reference, "--token"), new RequestBudget(TimeProvider.System, 300, TimeSpan.FromMinutes(2)), null, TimeSpan.FromSeconds(30));
            return await common.PullAsync(
                parse,
                $"trace pull gitlab {scope}",
                p => $"{scope} project {p.RunsDone}/{p.RunsTotal}, {p.Jobs} jobs",
                progress => new GitLabTracePuller(client).PullAsync(scope, from, progress, cancellationToken),
                e => e is GitLabApiException or TimeoutException).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>What both pulls share: <c>--since</c>, <c>--out</c>, <c>--quiet</c>, the checks, the progress bar and the writing.</summary>
    private sealed class CommonOptions(string units)
    {
        public Option<string?> Since { get; } = new("--since") { Description = $"Only {units}' jobs created at or after this date or time (ISO-8601, UTC unless an offset is given)" };

        public Option<FileInfo> Output { get; } = new("--out") { Description = "Job CSV to write", Required = true };

        public Option<bool> Quiet { get; } = new("--quiet") { Description = "No progress bar" };

        public bool TryRead(ParseResult parse, Option<string> url, Option<string> token, out Uri baseUrl, out DateTimeOffset? from, out SecretRef reference)
        {
            var error = parse.InvocationConfiguration.Error;
            (baseUrl, from, reference) = (null!, null, null!);
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var parsedUrl) || parsedUrl.Scheme is not ("https" or "http"))
            {
                error.WriteLine($"--url: '{parse.GetValue(url)}' is not an http(s) URL");
                return false;
            }

            baseUrl = parsedUrl;
            if (parse.GetValue(Since) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    error.WriteLine($"--since: '{text}' is not a date (e.g. 2026-11-01 or 2026-11-01T08:00:00Z)");
                    return false;
                }

                from = parsed.ToUniversalTime();
            }

            if (!SecretRef.TryParse(parse.GetValue(token), out var found) || found is null)
            {
                error.WriteLine($"--token: '{parse.GetValue(token)}' is not a reference (env:NAME or file:/path)");
                return false;
            }

            reference = found;
            return true;
        }

        public async Task<int> PullAsync(ParseResult parse, string what, Func<TracePullProgress, string> describe, Func<IProgress<TracePullProgress>, Task<Trace>> pull, Func<Exception, bool> forgeError)
        {
            var error = parse.InvocationConfiguration.Error;
            var barWriter = parse.GetValue(Quiet) || !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected ? null : error;
            Trace trace;
            try
            {
                using var bar = barWriter is null ? null : new ProgressBar(barWriter, 1);
                trace = await pull(new SynchronousProgress(p => bar?.Report(describe(p), p.RunsTotal == 0 ? 0 : (double)p.RunsDone / p.RunsTotal))).ConfigureAwait(false);
            }
            catch (Exception e) when (forgeError(e) || e is InvalidOperationException or HttpRequestException)
            {
                error.WriteLine($"{what}: {e.Message}");
                return 1;
            }

            var file = parse.GetValue(Output)!;
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
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder reports).</summary>
    private sealed class SynchronousProgress(Action<TracePullProgress> report) : IProgress<TracePullProgress>
    {
        public void Report(TracePullProgress value) => report(value);
    }
}
