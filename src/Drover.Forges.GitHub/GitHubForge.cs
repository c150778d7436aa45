using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Auth;
using Drover.Forges.GitHub.Polling;
using Drover.Forges.GitHub.ScaleSets;
using Drover.Forges.GitHub.Webhooks;
using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitHub;

/// <summary>
/// A GitHub (github.com or Enterprise Server) forge: verifies and reads <c>workflow_job</c> webhooks, mints JIT
/// configs (ephemeral pools) or registration tokens, lists and removes the runners this controller owns (names
/// starting with the controller id), polls workflow runs for jobs whose webhooks were lost, and re-runs jobs lost with
/// their runner's instance. A pool with a <c>scaleSet:</c> block takes its demand from its runner scale set's message
/// session instead (<see cref="ScaleSetListener"/>), and its runners from the scale set's JIT configs: it is neither
/// polled nor needs webhooks.
/// </summary>
internal sealed class GitHubForge : IForge, IWebhookReceiver, IDemandSource, IHealthReporting, IJobRerun, IDisposable
{
    private readonly ForgeConfig _config;
    private readonly Func<FleetConfig> _fleet;
    private readonly GitHubForgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[]? _webhookSecret;
    private readonly string _ownedPrefix;
    private readonly ConcurrentDictionary<string, string> _runnerScopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ActionsServiceClient> _scaleSetRunners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScaleSetListener> _listeners = new(StringComparer.Ordinal);

    internal GitHubForge(ForgeConfig config, Func<FleetConfig> fleet, GitHubForgeOptions options, TimeProvider time, ILogger logger, IAdapterMetrics? metrics = null, IStateStore? store = null)
    {
        _config = config;
        _fleet = fleet;
        _options = options;
        _time = time;
        _logger = logger;
        var secrets = new SecretResolver(options.Environment);
        if (config.WebhookSecret is { } secret)
        {
            _webhookSecret = Encoding.UTF8.GetBytes(secrets.Resolve(secret, $"forge '{config.Name}' webhookSecret"));
        }

        _ownedPrefix = fleet().ControllerId + "-";
        Client = new GitHubApiClient(config.Url, new RateLimitGate(time, options.MaxRateLimitWait, options.MaxConcurrency, new CallPacer(time, options.SecondaryPointsPerWindow, options.SecondaryWindow)), options.Handler, options.RequestTimeout, new HealthRecorder(time));
        Auth = config.Auth switch
        {
            { AppId: { } appId, InstallationId: { } installationId, PrivateKey: { } key } =>
                new AppInstallationAuth(appId, installationId, key, secrets, Client.ExchangeAppTokenAsync, time),
            { Token: { } token } => new TokenAuth(token, secrets, $"forge '{config.Name}' auth.token"),
            _ => throw new InvalidOperationException(
                $"forge '{config.Name}': auth needs either token (env:/file: reference) or appId, installationId and privateKey"),
        };
        Client.Auth = Auth;
        var random = options.Random ?? new Random(RandomNumberGenerator.GetInt32(int.MaxValue));
        Poller = new WorkflowPoller(Client, config.Name, () => [.. RestPools.Select(p => p.Scope).Distinct()], options.PollInterval, time, logger)
        {
            Backoff = new PollBackoff(options.PollInterval, random),
            MaxLookups = options.MaxJobLookupsPerPoll,
            Metrics = metrics,
        };
        var listenerOptions = new ScaleSetListenerOptions(options.ScaleSetOwner ?? System.Environment.MachineName, options.ScaleSetConflictRetry, options.ScaleSetPollTimeout, random);
        var clients = new Dictionary<string, ActionsServiceClient>(StringComparer.Ordinal);
        foreach (var pool in Pools.Where(IsScaleSetPool))
        {
            // The fleet file's validation reports these at their positions; a fleet built in code meets the same rules here.
            if (((GitHubPoolSettings)pool.ForgeSettings!).Check(pool, Pools).FirstOrDefault() is { Message: { } problem })
            {
                throw new InvalidOperationException($"pool '{pool.Name}': {problem}");
            }

            var scope = ScopePaths.Of(pool.Scope);
            if (!clients.TryGetValue(scope, out var client))
            {
                client = new ActionsServiceClient(Client, config.Url, pool.Scope, time, options.Handler, options.RequestTimeout, Client.Health);
                clients[scope] = client;
            }

            var poolName = pool.Name;
            _listeners[poolName] = new ScaleSetListener(config.Name, poolName, () => Pools.FirstOrDefault(p => p.Name == poolName), client, store, time, logger, listenerOptions);
        }
    }

    /// <summary>The listeners of the scale-set pools (as configured at start-up).</summary>
    internal IReadOnlyCollection<ScaleSetListener> ScaleSetListeners => _listeners.Values;

    /// <summary>The pools that take their demand from webhooks and polling (not from a scale set).</summary>
    private IReadOnlyList<PoolConfig> RestPools => [.. Pools.Where(p => !IsScaleSetPool(p))];

    private static bool IsScaleSetPool(PoolConfig pool) => pool.ForgeSettings is GitHubPoolSettings { ScaleSet: not null };

    /// <summary>What the gauges of a scale set read: its statistics while this replica listens, else nothing.</summary>
    internal ScaleSetReading? ScaleSetReading(ScaleSetListener listener) =>
        listener.Statistics is { } s && listener.ScaleSetId is not null && listener.State != "closed"
            ? new ScaleSetReading(s.AvailableJobs, s.AcquiredJobs, s.AssignedJobs, s.RunningJobs, s.RegisteredRunners, s.BusyRunners, s.IdleRunners, listener.Listening, listener.MessageLag)
            : null;

    /// <inheritdoc/>
    public string Name => _config.Name;

    /// <summary>The REST client (rate-limit budget, request counts).</summary>
    public GitHubApiClient Client { get; }

    /// <summary>How the client authenticates.</summary>
    public IGitHubAuth Auth { get; }

    /// <summary>The polling reconciler <see cref="RunAsync"/> runs.</summary>
    public WorkflowPoller Poller { get; }

    /// <summary>The pools that take this forge's jobs, in the configuration in force now (reloads included).</summary>
    public IReadOnlyList<PoolConfig> Pools => [.. _fleet().Pools.Where(p => p.Forge == _config.Name)];

    /// <summary>Requests left in the current rate-limit window as GitHub last reported it.</summary>
    public long? RateLimitRemaining => Client.Gate.Remaining;

    /// <inheritdoc/>
    public async Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runnerName);
        var config = Pools.FirstOrDefault(p => p.Name == pool)
            ?? throw new InvalidOperationException($"pool '{pool}' is not a pool of GitHub forge '{Name}'");
        if (_listeners.TryGetValue(config.Name, out var listener))
        {
            return await MintFromScaleSetAsync(listener, runnerName, cancellationToken).ConfigureAwait(false);
        }

        var scope = ScopePaths.Of(config.Scope);
        if (!config.Ephemeral)
        {
            var registration = await Client.PostAsync($"{scope}/actions/runners/registration-token", null, cancellationToken).ConfigureAwait(false);
            return registration.TryGetProperty("token", out var token) && token.GetString() is { Length: > 0 } value
                ? new RunnerCredential("registration-token", value)
                : throw new GitHubApiException(System.Net.HttpStatusCode.OK, $"POST {scope}/actions/runners/registration-token: the answer lacks 'token'");
        }

        var labels = config.Labels.Count > 0 ? config.Labels : ["self-hosted"];
        var body = new Dictionary<string, object>
        {
            ["name"] = runnerName,
            ["runner_group_id"] = RunnerGroup(config),
            ["labels"] = labels,
            ["work_folder"] = "_work",
        };
        JsonElement answer;
        try
        {
            answer = await Client.PostAsync($"{scope}/actions/runners/generate-jitconfig", body, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException e) when (e.Status == System.Net.HttpStatusCode.Conflict)
        {
            // The name is Drover's own runner's: an earlier mint succeeded at GitHub but its answer was lost (a 5xx or a
            // timeout after the side effect). That registration can never be used (its JIT config is gone), so it is
            // removed and the runner minted again, rather than failing every retry and leaking the registration.
            await RemoveUnusedRegistrationAsync(scope, runnerName, e, cancellationToken).ConfigureAwait(false);
            answer = await Client.PostAsync($"{scope}/actions/runners/generate-jitconfig", body, cancellationToken).ConfigureAwait(false);
        }

        if (answer.TryGetProperty("runner", out var runner) && runner.TryGetProperty("id", out var id) && id.TryGetInt64(out var runnerId))
        {
            _runnerScopes[runnerId.ToString(CultureInfo.InvariantCulture)] = scope;
        }

        return answer.TryGetProperty("encoded_jit_config", out var jit) && jit.GetString() is { Length: > 0 } encoded
            ? new RunnerCredential("jit-config", encoded)
            : throw new GitHubApiException(System.Net.HttpStatusCode.OK, $"POST {scope}/actions/runners/generate-jitconfig: the answer lacks 'encoded_jit_config'");
    }

    /// <summary>
    /// A runner's JIT config from its pool's scale set. A name already registered there (a mint whose answer was lost)
    /// is removed and minted again, unless that runner runs a job or belongs to another scale set.
    /// </summary>
    private async Task<RunnerCredential> MintFromScaleSetAsync(ScaleSetListener listener, string runnerName, CancellationToken cancellationToken)
    {
        if (listener.ScaleSetId is not { } setId)
        {
            throw new GitHubApiException(System.Net.HttpStatusCode.ServiceUnavailable, $"scale set of pool '{listener.Pool}' is not registered yet; minted once it is");
        }

        (long RunnerId, string Jit) minted;
        try
        {
            minted = await listener.Client.GenerateJitConfigAsync(setId, runnerName, cancellationToken).ConfigureAwait(false);
        }
        catch (ActionsServiceException e) when (e.Is("AgentExistsException") || e.Status == System.Net.HttpStatusCode.Conflict)
        {
            foreach (var existing in await listener.Client.ListRunnersAsync(runnerName, cancellationToken).ConfigureAwait(false))
            {
                if (existing.Name != runnerName)
                {
                    continue;
                }

                if (existing.ScaleSetId != setId)
                {
                    throw new ActionsServiceException(e.Status, e.TypeName, $"{e.Message}; the runner of that name belongs to another scale set, so it is left alone");
                }

                if (existing.Busy)
                {
                    throw new GitHubRunnerBusyException($"{e.Message}; the runner of that name is running a job, so it is not minted again");
                }

                await listener.Client.RemoveRunnerAsync(existing.Id, cancellationToken).ConfigureAwait(false);
                ScaleSetLog.LostMintRemoved(_logger, runnerName, listener.ScaleSetName ?? listener.Pool, Name);
            }

            minted = await listener.Client.GenerateJitConfigAsync(setId, runnerName, cancellationToken).ConfigureAwait(false);
        }

        _scaleSetRunners[minted.RunnerId.ToString(CultureInfo.InvariantCulture)] = listener.Client;
        return new RunnerCredential("jit-config", minted.Jit);
    }

    /// <summary>
    /// Deletes the registration named <paramref name="runnerName"/> in <paramref name="scope"/> that a lost mint left
    /// behind. One that runs a job is not removed: the mint's conflict is rethrown as busy.
    /// </summary>
    private async Task RemoveUnusedRegistrationAsync(string scope, string runnerName, GitHubApiException conflict, CancellationToken cancellationToken)
    {
        var listed = await Client.GetAllPagesAsync($"{scope}/actions/runners?name={Uri.EscapeDataString(runnerName)}&per_page=100", "runners", conditional: false, cancellationToken).ConfigureAwait(false);
        foreach (var runner in listed)
        {
            if (!runner.TryGetProperty("name", out var name) || name.GetString() != runnerName || !runner.TryGetProperty("id", out var id))
            {
                continue;
            }

            if (runner.TryGetProperty("busy", out var busy) && busy.ValueKind == JsonValueKind.True)
            {
                throw new GitHubRunnerBusyException($"{conflict.Message}; the runner of that name is running a job, so it is not minted again");
            }

            await Client.DeleteAsync($"{scope}/actions/runners/{id.GetRawText()}", cancellationToken).ConfigureAwait(false);
            GitHubLog.LostMintRemoved(_logger, runnerName, Name);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var result = new List<ForgeRunner>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var client in _listeners.Values.Select(l => l.Client).Distinct())
        {
            var sets = _listeners.Values.Where(l => l.Client == client && l.ScaleSetId is not null).Select(l => l.ScaleSetId!.Value).ToHashSet();
            foreach (var runner in await client.ListRunnersAsync(null, cancellationToken).ConfigureAwait(false))
            {
                var id = runner.Id.ToString(CultureInfo.InvariantCulture);
                if (!runner.Name.StartsWith(_ownedPrefix, StringComparison.Ordinal) || !sets.Contains(runner.ScaleSetId) || !ids.Add(id))
                {
                    continue;
                }

                _scaleSetRunners[id] = client;
                result.Add(new ForgeRunner { Forge = Name, Id = id, Name = runner.Name, Online = runner.Online, Busy = runner.Busy, FirstSeenAt = now });
            }
        }

        foreach (var scope in RestPools.Select(p => ScopePaths.Of(p.Scope)).Distinct(StringComparer.Ordinal))
        {
            var runners = await Client.GetAllPagesAsync($"{scope}/actions/runners?per_page=100", "runners", conditional: true, cancellationToken).ConfigureAwait(false);
            foreach (var runner in runners)
            {
                var name = runner.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (name is null || !name.StartsWith(_ownedPrefix, StringComparison.Ordinal)
                    || !runner.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var numericId))
                {
                    continue;
                }

                var id = numericId.ToString(CultureInfo.InvariantCulture);
                _runnerScopes[id] = scope;
                if (!ids.Add(id))
                {
                    continue;
                }

                result.Add(new ForgeRunner
                {
                    Forge = Name,
                    Id = id,
                    Name = name,
                    Online = runner.TryGetProperty("status", out var status) && status.GetString() == "online",
                    Busy = runner.TryGetProperty("busy", out var busy) && busy.ValueKind == JsonValueKind.True,
                    FirstSeenAt = now,
                });
            }
        }

        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="GitHubRunnerBusyException">The runner is running a job; it is never forced off: try later.</exception>
    public async Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(forgeRunnerId);
        if (!long.TryParse(forgeRunnerId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"GitHub runner id '{forgeRunnerId}' is not a number", nameof(forgeRunnerId));
        }

        if (_scaleSetRunners.TryGetValue(forgeRunnerId, out var owner) || (RestPools.Count == 0 && _listeners.Count > 0))
        {
            var id = long.Parse(forgeRunnerId, NumberStyles.None, CultureInfo.InvariantCulture);
            foreach (var client in owner is null ? _listeners.Values.Select(l => l.Client).Distinct() : [owner])
            {
                try
                {
                    if (await client.RemoveRunnerAsync(id, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (GitHubRunnerBusyException)
                {
                    GitHubLog.RunnerBusy(_logger, Name, forgeRunnerId);
                    throw;
                }
            }

            _scaleSetRunners.TryRemove(forgeRunnerId, out _);
            return;
        }

        var scopes = _runnerScopes.TryGetValue(forgeRunnerId, out var known)
            ? [known]
            : RestPools.Select(p => ScopePaths.Of(p.Scope)).Distinct(StringComparer.Ordinal);
        foreach (var scope in scopes)
        {
            try
            {
                if (await Client.DeleteAsync($"{scope}/actions/runners/{forgeRunnerId}", cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (GitHubRunnerBusyException)
            {
                GitHubLog.RunnerBusy(_logger, Name, forgeRunnerId);
                throw;
            }
        }

        _runnerScopes.TryRemove(forgeRunnerId, out _);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <c>POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun</c> makes a new attempt of the workflow run in which the
    /// job is queued again under a new id, found afterwards by name among the run's latest jobs. GitHub re-runs only a
    /// job whose run has completed (it fails a job whose runner vanished after about ten minutes): before that the answer
    /// is "not yet". A run whose latest attempt is newer than the lost job's was already re-run (an earlier call whose
    /// answer was lost, or someone else): that attempt's job is the answer, and no second re-run is made.
    /// </remarks>
    public async Task<JobRerunAnswer> RerunJobAsync(JobRerun rerun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rerun);
        if (rerun.Scope is not { } repository || !long.TryParse(rerun.Job.Id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new GitHubApiException(System.Net.HttpStatusCode.UnprocessableEntity, $"job {rerun.Job}: the repository or a numeric job id is not known, so it cannot be re-run");
        }

        var repo = ScopePaths.Repository(repository);
        var job = await Client.GetAsync($"{repo}/actions/jobs/{rerun.Job.Id}", conditional: false, cancellationToken).ConfigureAwait(false);
        var name = job.TryGetProperty("name", out var n) ? n.GetString() : null;
        var runId = job.TryGetProperty("run_id", out var r) && r.TryGetInt64(out var id) ? id : rerun.RunId;
        var jobAttempt = job.TryGetProperty("run_attempt", out var a) && a.TryGetInt64(out var attempt) ? attempt : 1;
        if (runId is not { } run)
        {
            throw new GitHubApiException(System.Net.HttpStatusCode.UnprocessableEntity, $"job {rerun.Job}: GitHub does not say its workflow run");
        }

        var runJson = await Client.GetAsync($"{repo}/actions/runs/{run}", conditional: false, cancellationToken).ConfigureAwait(false);
        var runAttempt = runJson.TryGetProperty("run_attempt", out var ra) && ra.TryGetInt64(out var latest) ? latest : jobAttempt;
        if (runAttempt > jobAttempt)
        {
            var again = await NewJobIdAsync(repo, run, name, rerun.Job.Id, cancellationToken).ConfigureAwait(false);
            return JobRerunAnswer.Queued(again, $"run {run} was already re-run (attempt {runAttempt})");
        }

        var status = job.TryGetProperty("status", out var st) ? st.GetString() : null;
        var runStatus = runJson.TryGetProperty("status", out var rs) ? rs.GetString() : null;
        if (status != "completed" || runStatus != "completed")
        {
            return JobRerunAnswer.NotYet(status != "completed"
                ? $"the job is still {status ?? "unknown"} at GitHub; it is re-run once GitHub ends it"
                : $"its workflow run {run} is still {runStatus ?? "unknown"}; GitHub re-runs a job once the run completes");
        }

        if (job.TryGetProperty("conclusion", out var c) && c.ValueKind == JsonValueKind.String && c.GetString() == "success")
        {
            // The job ended well before its instance went: nothing was lost, and re-running it could repeat a deployment.
            throw new GitHubApiException(System.Net.HttpStatusCode.UnprocessableEntity, $"job {rerun.Job.Id} succeeded at GitHub, so it is not re-run");
        }

        await Client.PostAsync($"{repo}/actions/jobs/{rerun.Job.Id}/rerun", null, cancellationToken).ConfigureAwait(false);
        var newId = await NewJobIdAsync(repo, run, name, rerun.Job.Id, cancellationToken).ConfigureAwait(false);
        return JobRerunAnswer.Queued(newId, $"run {run} attempt {jobAttempt + 1}");
    }

    /// <summary>The id of the job named <paramref name="name"/> in the run's latest attempt, unless it is still the old one.</summary>
    private async Task<string?> NewJobIdAsync(string repo, long run, string? name, string oldId, CancellationToken cancellationToken)
    {
        if (name is null)
        {
            return null;
        }

        var jobs = await Client.GetAllPagesAsync($"{repo}/actions/runs/{run}/jobs?filter=latest&per_page=100", "jobs", conditional: false, cancellationToken).ConfigureAwait(false);
        return jobs
            .Where(j => j.TryGetProperty("name", out var n) && n.GetString() == name && j.TryGetProperty("id", out var i) && i.TryGetInt64(out _))
            .Select(j => j.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture))
            .FirstOrDefault(i => i != oldId);
    }

    /// <inheritdoc/>
    public WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (_webhookSecret is null)
        {
            return WebhookVerdict.Unauthorized($"forge '{Name}' has no webhookSecret configured; its webhooks are refused (it runs on polling)");
        }

        if (WebhookSignature.Check(_webhookSecret, header(WebhookSignature.Header), body) is { } problem)
        {
            return WebhookVerdict.Unauthorized(problem);
        }

        return WebhookVerdict.AcceptedIfJson(body);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (HasHeader(delivery.HeadersJson, ScaleSetMessageReader.Header))
        {
            // A scale-set message the listener stored (webhooks never keep this header).
            return Task.FromResult(ScaleSetMessageReader.Read(Name, delivery.DeliveryId, delivery.Body.Span, delivery.ReceivedAt));
        }

        var e = WorkflowJobReader.ReadWebhook(EventName(delivery.HeadersJson), delivery.Body.Span, Name, delivery.DeliveryId, delivery.ReceivedAt);
        if (e is not null)
        {
            Poller.Observe(e);
        }

        return Task.FromResult<IReadOnlyList<JobEvent>>(e is null ? [] : [e]);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The poller (for pools fed by webhooks and polling) and one listener per scale-set pool, all until the term ends;
    /// scale-set pools added by a reload are listened to from the next term.
    /// </remarks>
    public Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        var running = _listeners.Values.Select(l => l.RunAsync(sink, cancellationToken)).ToList();
        if (_options.Polling && RestPools.Count > 0)
        {
            running.Add(Poller.RunAsync(sink, cancellationToken));
        }

        return Task.WhenAll(running);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The poller watches this forge's restored jobs as it watches those webhooks reported: a job whose
    /// <c>completed</c> webhook was lost while no replica led is looked up once the lists stop showing it, instead of
    /// staying waiting in the ledger (and asking for runners) until it expires.
    /// </remarks>
    public void Resume(IReadOnlyCollection<Job> activeJobs)
    {
        ArgumentNullException.ThrowIfNull(activeJobs);
        if (RestPools.Count == 0)
        {
            // Scale-set jobs are followed by their sets' messages (resumed after the stored cursor), not looked up.
            return;
        }

        foreach (var job in activeJobs.Where(j => j.Key.Forge == Name && j.Scope is not null))
        {
            Poller.Observe(new JobEvent
            {
                Key = job.Key,
                Kind = job.State == JobState.Running ? JobEventKind.Started : JobEventKind.Queued,
                At = job.LastEventAt,
                Labels = job.Labels,
                Scope = job.Scope,
                RunnerName = job.RunnerName,
            });
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// From the REST calls this forge made (the engine's, the poller's, webhook follow-ups): last success, last error,
    /// and the rate-limit budget GitHub reported; degraded while fewer than a tenth of the window's requests are left.
    /// </remarks>
    public ComponentHealth Health()
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["polling"] = PollingState() };
        foreach (var listener in _listeners.Values.OrderBy(l => l.Pool, StringComparer.Ordinal))
        {
            details[$"scaleSet.{listener.ScaleSetName ?? listener.Pool}"] = listener.State
                + (listener.Statistics is { } s ? string.Create(CultureInfo.InvariantCulture, $" (assigned {s.AssignedJobs}, running {s.RunningJobs}, runners {s.RegisteredRunners}, last message {listener.LastMessageId})") : string.Empty);
        }

        var remaining = Client.Gate.Remaining;
        var limit = Client.Gate.Limit;
        if (remaining is { } left)
        {
            details["rateLimitRemaining"] = left.ToString(CultureInfo.InvariantCulture);
        }

        if (limit is { } size)
        {
            details["rateLimitLimit"] = size.ToString(CultureInfo.InvariantCulture);
        }

        var health = Client.Health!.Health("forge", Name, details);
        if (_listeners.Values.FirstOrDefault(l => l.State.StartsWith("failing", StringComparison.Ordinal) || l.State.StartsWith("waiting", StringComparison.Ordinal)) is { } troubled
            && !HealthRecorder.IsUnchecked(health))
        {
            health = HealthRecorder.AtLeast(health, ComponentStatus.Degraded, $"scale set {troubled.ScaleSetName ?? troubled.Pool}: {troubled.State}");
        }

        return remaining is { } r && limit is { } l && l > 0 && r * 10 < l && !HealthRecorder.IsUnchecked(health)
            ? HealthRecorder.AtLeast(health, ComponentStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"rate limit nearly spent: {r} of {l} requests left until {Client.Gate.ResetAt:HH:mm:ss}Z"))
            : health;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var client in _listeners.Values.Select(l => l.Client).Distinct())
        {
            client.Dispose();
        }

        Client.Dispose();
    }

    private string PollingState() =>
        !_options.Polling || RestPools.Count == 0 ? "off"
        : Poller.Backoff.FailingSince is { } since ? string.Create(CultureInfo.InvariantCulture, $"failing since {since:O} ({Poller.Backoff.Failures} rounds)")
        : "on";

    private static bool HasHeader(string headersJson, string header)
    {
        try
        {
            using var document = JsonDocument.Parse(headersJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.EnumerateObject().Any(p => string.Equals(p.Name, header, StringComparison.OrdinalIgnoreCase));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? EventName(string headersJson)
    {
        try
        {
            using var document = JsonDocument.Parse(headersJson);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (string.Equals(property.Name, "X-GitHub-Event", StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static long RunnerGroup(PoolConfig pool) =>
        pool.ForgeSettings is GitHubPoolSettings settings
            ? settings.RunnerGroupId
            : pool.Template.Settings.TryGetValue(GitHubForgeOptions.RunnerGroupSetting, out var text)
            ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                ? id
                : throw new InvalidOperationException($"pool '{pool.Name}': template.settings.{GitHubForgeOptions.RunnerGroupSetting} '{text}' is not a positive runner group id")
            : 1;
}
