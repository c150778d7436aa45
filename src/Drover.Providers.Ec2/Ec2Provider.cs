using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.Ec2;

/// <summary>
/// Runs each runner on its own EC2 instance (docs/providers/ec2.md, ADR 0011). A create takes the runner's credential
/// from the vault, issues a one-time bootstrap token for it and launches the instance with only the token and Drover's
/// URL in its user data; the instance fetches its credential from Drover, runs one job and shuts itself down
/// (terminate on shutdown). Launches go through the pool's choices in order (spot first when preferred, each instance
/// type, each subnet, then on-demand where allowed) while EC2 answers with no capacity; each choice has its own
/// ClientToken derived from the runner's idempotency key, so a retried create never launches twice. Instances are
/// listed by their ownership tags, page by page; their states become runner failures (a spot interruption a lost
/// instance, whose job the engine re-runs) and feed the pool's spot breaker.
/// </summary>
internal sealed class Ec2Provider : IProvider, IHealthReporting, IDisposable
{
    /// <summary>How long an instance this provider launched is taken to exist although EC2 does not list it yet.</summary>
    internal static readonly TimeSpan DefaultVisibilityGrace = TimeSpan.FromMinutes(2);

    private static readonly KeyValuePair<string, string[]>[] _liveStates = [new("instance-state-name", ["pending", "running"])];
    private readonly Ec2ProviderSettings _settings;
    private readonly IEc2Api _api;
    private readonly Func<FleetConfig> _fleet;
    private readonly RunnerCredentialVault _vault;
    private readonly InstanceBootstrap _bootstrap;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _visibilityGrace;
    private readonly HealthRecorder _health;
    private readonly SpotBreaker _breaker;
    private readonly ConcurrentDictionary<string, Launched> _launched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _runners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _terminated = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingLaunch> _pending = new(StringComparer.Ordinal);

    /// <param name="settings">The provider's settings.</param>
    /// <param name="api">The EC2 API.</param>
    /// <param name="fleet">The configuration in force (controller id, pools, forges).</param>
    /// <param name="vault">Where runner credentials wait.</param>
    /// <param name="bootstrap">Where bootstrap tokens are issued.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The provider's logger.</param>
    /// <param name="visibilityGrace">How long a launched instance EC2 does not list yet is still reported; default 2 minutes.</param>
    public Ec2Provider(
        Ec2ProviderSettings settings, IEc2Api api, Func<FleetConfig> fleet, RunnerCredentialVault vault, InstanceBootstrap bootstrap, TimeProvider time, ILogger logger,
        TimeSpan? visibilityGrace = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _api = api ?? throw new ArgumentNullException(nameof(api));
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _bootstrap = bootstrap ?? throw new ArgumentNullException(nameof(bootstrap));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _visibilityGrace = visibilityGrace ?? DefaultVisibilityGrace;
        _health = new HealthRecorder(time);
        _breaker = new SpotBreaker(settings.SpotBreakerInterruptions, settings.SpotBreakerWindow, settings.SpotBreakerOnDemandFor);
    }

    /// <inheritdoc/>
    public string Name => _settings.ProviderName;

    /// <summary>The pools' spot breakers (tests and diagnostics).</summary>
    internal SpotBreaker Breaker => _breaker;

    /// <inheritdoc/>
    public ComponentHealth Health()
    {
        var now = _time.GetUtcNow();
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["region"] = _settings.Region,
            ["spotBreakersOpen"] = string.Join(", ", _breaker.Open(now).Select(e => $"{e.Key} until {e.Value.UtcDateTime:HH:mm:ss}Z")),
        };
        if (_settings.Endpoint is { } endpoint)
        {
            details["endpoint"] = endpoint.ToString();
        }

        return _health.Health("provider", Name, details, "not checked yet: no EC2 call made since start");
    }

    /// <inheritdoc/>
    public async Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fleet = _fleet();
        var pool = fleet.FindPool(request.Pool) ?? throw new InvalidOperationException($"pool '{request.Pool}' is not configured");
        var template = request.Template.For<Ec2TemplateSettings>(Ec2ProviderFactory.Type)
            ?? throw new AdapterConfigurationException($"pools[{pool.Name}].template.ec2: not bound; the pool has no ec2 template");
        var key = request.IdempotencyKey;

        // An earlier attempt of this create (before a timeout, a lost answer or a restart) may have launched it.
        if (_launched.Values.FirstOrDefault(l => l.Runner == key) is { } launched)
        {
            return launched.InstanceId;
        }

        var existing = await CallAsync(() => FindAsync(fleet.ControllerId, key, cancellationToken)).ConfigureAwait(false);
        if (existing is not null)
        {
            Ec2ProviderLog.Found(_logger, Name, key, existing.Id);
            _runners[existing.Id] = key;
            return existing.Id;
        }

        var credential = _vault.Take(request.CredentialRef)
            ?? throw new InvalidOperationException($"no credential for runner {key} and no instance of it at EC2");
        try
        {
            // A retry sends the same user data (and token) as the attempt before it: EC2 answers a repeated ClientToken
            // with the instance it launched only when the other parameters match too.
            var now = _time.GetUtcNow();
            foreach (var stale in _pending.Where(p => p.Value.ExpiresAt <= now).Select(p => p.Key).ToList())
            {
                _pending.TryRemove(stale, out _);
            }

            var userData = _pending.TryGetValue(key, out var pending) && pending.CredentialKind == credential.Kind
                ? pending.UserData
                : UserDataScript.Render(new UserDataScript.Values(
                    template.Os, credential.Kind, _settings.BootstrapUrl, _bootstrap.Issue(pool.Name, key, credential, _settings.BootstrapTokenValidity),
                    _settings.BootstrapTokenValidity, pool.Name, key, template.RunnerDirectory, template.RunnerVersion, fleet.Forges.FirstOrDefault(f => f.Name == pool.Forge)?.Url));
            if (pending is null || pending.UserData != userData)
            {
                _pending[key] = new PendingLaunch(userData, credential.Kind, now + _settings.BootstrapTokenValidity);
            }

            var tags = OwnershipTags(fleet.ControllerId, pool.Name, key).Concat(template.Tags).ToList();
            var refusals = new List<string>();
            foreach (var choice in Choices(pool.Name, template, request.Template.Spot))
            {
                var launch = new Ec2Launch
                {
                    ImageId = template.Ami ?? (template.SsmParameter is { } parameter ? "resolve:ssm:" + parameter : null),
                    InstanceType = choice.InstanceType,
                    SubnetId = choice.Subnet,
                    Spot = choice.Spot,
                    ClientToken = ClientToken(fleet.ControllerId, key, choice),
                    UserData = userData,
                    Tags = tags,
                    Template = template,
                };
                try
                {
                    var instance = await CallAsync(() => _api.RunAsync(launch, cancellationToken)).ConfigureAwait(false);
                    _pending.TryRemove(key, out _);
                    _launched[instance.Id] = new Launched(instance.Id, key, pool.Name, _time.GetUtcNow());
                    _runners[instance.Id] = key;
                    Ec2ProviderLog.Launched(_logger, Name, key, pool.Name, instance.Id, instance.InstanceType ?? choice.InstanceType ?? "(launch template's)", Market(choice.Spot), instance.AvailabilityZone ?? "?");
                    return instance.Id;
                }
                catch (Ec2ApiException e) when (e.Code == "IdempotentParameterMismatch")
                {
                    // This choice was launched by an earlier attempt (before a restart) with other user data: the
                    // instance exists; the next try finds it by its tags once EC2 lists it.
                    throw new Ec2ApiException(
                        Name, "RunInstances", "LaunchNotVisibleYet",
                        $"an earlier attempt already launched runner {key} as {choice.InstanceType ?? "the template's type"} {Market(choice.Spot)} (EC2: {e.Code}); looking it up again later",
                        HttpStatusCode.ServiceUnavailable, inner: e);
                }
                catch (Ec2ApiException e) when (e.NoCapacity)
                {
                    Ec2ProviderLog.NoCapacity(_logger, Name, key, choice.InstanceType ?? "(launch template's)", Market(choice.Spot), choice.Subnet ?? "(default)", e.Code);
                    refusals.Add($"{choice.InstanceType ?? "template type"} {Market(choice.Spot)}{(choice.Subnet is null ? "" : " in " + choice.Subnet)}: {e.Code}");
                }
            }

            throw new Ec2ApiException(Name, "RunInstances", "InsufficientInstanceCapacity",
                $"no capacity for runner {key} in any choice of pool {pool.Name} ({string.Join("; ", refusals)})", HttpStatusCode.ServiceUnavailable);
        }
        catch (Ec2ApiException e) when (e.NoCapacity)
        {
            // Nothing was launched: the token is closed, a later create issues a new one.
            _pending.TryRemove(key, out _);
            _bootstrap.Close(key);
            _vault.Put(key, credential);
            throw;
        }
        catch
        {
            // The launch may have happened with its answer lost: the token stays valid and the retry repeats this user data.
            _vault.Put(key, credential);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        try
        {
            await CallAsync(() => _api.TerminateAsync(instanceId, cancellationToken)).ConfigureAwait(false);
        }
        catch (Ec2ApiException e) when (e.InstanceNotFound)
        {
            if (_launched.TryGetValue(instanceId, out var launched) && _time.GetUtcNow() - launched.At < _visibilityGrace)
            {
                // Launched moments ago and not visible to EC2's API yet: try again later rather than leak it.
                throw new Ec2ApiException(
                    Name, "TerminateInstances", "InstanceNotVisibleYet",
                    $"EC2 answers {e.Code} for {instanceId}, launched {HealthRecorder.Ago(_time.GetUtcNow() - launched.At)} ago (eventual consistency); terminating it again later",
                    HttpStatusCode.ServiceUnavailable, inner: e);
            }

            // Gone long ago: nothing to terminate.
        }

        _terminated[instanceId] = 0;
        _launched.TryRemove(instanceId, out _);
        var runner = _runners.TryRemove(instanceId, out var name) ? name : "?";
        if (runner != "?")
        {
            _bootstrap.Close(runner);
        }

        Ec2ProviderLog.Terminated(_logger, Name, instanceId, runner);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var fleet = _fleet();
        var filters = new KeyValuePair<string, string[]>[]
        {
            new("tag:" + Ec2Tags.Controller, [fleet.ControllerId]),
            new("tag:" + Ec2Tags.Provider, [Name]),
        };
        var listed = new List<Ec2Instance>();
        string? next = null;
        do
        {
            var page = await CallAsync(() => _api.DescribeAsync(filters, _settings.ListPageSize, next, cancellationToken)).ConfigureAwait(false);
            listed.AddRange(page.Instances);
            next = page.NextToken;
        }
        while (next is not null);

        var now = _time.GetUtcNow();
        var instances = new List<ProviderInstance>(listed.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in listed)
        {
            seen.Add(instance.Id);
            _launched.TryRemove(instance.Id, out _);
            var runner = instance.Tags.GetValueOrDefault(Ec2Tags.Runner);
            var pool = instance.Tags.GetValueOrDefault(Ec2Tags.Pool);
            var (show, failure, kind) = InstanceStates.Classify(instance);
            if (!show || _terminated.ContainsKey(instance.Id))
            {
                continue;
            }

            if (runner is not null)
            {
                _runners[instance.Id] = runner;
            }

            if (instance.StateReasonCode == InstanceStates.SpotInterruption && pool is not null)
            {
                Interrupted(instance, pool, runner ?? "?", failure!, now);
            }

            instances.Add(new ProviderInstance
            {
                Provider = Name,
                InstanceId = instance.Id,
                IdempotencyKey = runner,
                Pool = pool,
                CreatedAt = instance.LaunchedAt == DateTimeOffset.MinValue ? now : instance.LaunchedAt,
                Failure = failure,
                FailureKind = kind,
            });
        }

        // Launched by this process moments ago but not listed by EC2 yet (eventual consistency): still there.
        foreach (var launched in _launched.Values)
        {
            if (seen.Contains(launched.InstanceId) || _terminated.ContainsKey(launched.InstanceId))
            {
                continue;
            }

            if (now - launched.At >= _visibilityGrace)
            {
                _launched.TryRemove(launched.InstanceId, out _);
                continue;
            }

            instances.Add(new ProviderInstance { Provider = Name, InstanceId = launched.InstanceId, IdempotencyKey = launched.Runner, Pool = launched.Pool, CreatedAt = launched.At });
        }

        foreach (var id in _terminated.Keys.Where(id => !seen.Contains(id)))
        {
            // EC2 no longer describes it: nothing more to hide.
            _terminated.TryRemove(id, out _);
            _breaker.Forget(id);
        }

        return instances;
    }

    /// <inheritdoc/>
    public void Dispose() => _api.Dispose();

    /// <summary>The launch choices of a pool in order: market (spot first where preferred), then instance type, then subnet.</summary>
    internal IReadOnlyList<LaunchChoice> Choices(string pool, Ec2TemplateSettings template, SpotPreference spot)
    {
        var breakerOpen = _breaker.IsOpen(pool, _time.GetUtcNow());
        bool[] markets = spot switch
        {
            SpotPreference.Require => [true],
            SpotPreference.Prefer when breakerOpen => [false],
            SpotPreference.Prefer => [true, false],
            _ => [false],
        };
        if (spot == SpotPreference.Require && breakerOpen)
        {
            Ec2ProviderLog.SpotRequiredWhileOpen(_logger, Name, pool);
        }

        IReadOnlyList<string?> types = template.InstanceTypes.Count > 0 ? [.. template.InstanceTypes] : [null];
        IReadOnlyList<string?> subnets = template.Subnets.Count > 0 ? [.. template.Subnets] : [null];
        return [.. from market in markets from type in types from subnet in subnets select new LaunchChoice(type, subnet, market)];
    }

    /// <summary>
    /// The ClientToken of one launch choice of a runner: the same on every retry of the same choice, so EC2 answers a
    /// repeated RunInstances with the instance the first one launched (64 characters at most).
    /// </summary>
    internal static string ClientToken(string controllerId, string runner, LaunchChoice choice)
    {
        var text = string.Join('\n', controllerId, runner, choice.InstanceType ?? "", choice.Subnet ?? "", choice.Spot ? "spot" : "on-demand");
        return "drover-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..48];
    }

    private IEnumerable<KeyValuePair<string, string>> OwnershipTags(string controllerId, string pool, string runner) =>
    [
        new(Ec2Tags.Controller, controllerId),
        new(Ec2Tags.Provider, Name),
        new(Ec2Tags.Pool, pool),
        new(Ec2Tags.Runner, runner),
        new("Name", runner),
    ];

    private static string Market(bool spot) => spot ? "spot" : "on-demand";

    private async Task<Ec2Instance?> FindAsync(string controllerId, string runner, CancellationToken cancellationToken)
    {
        KeyValuePair<string, string[]>[] filters =
        [
            new("tag:" + Ec2Tags.Controller, [controllerId]),
            new("tag:" + Ec2Tags.Provider, [Name]),
            new("tag:" + Ec2Tags.Runner, [runner]),
            .. _liveStates,
        ];
        var (instances, _) = await _api.DescribeAsync(filters, 5, null, cancellationToken).ConfigureAwait(false);
        return instances.FirstOrDefault(i => !_terminated.ContainsKey(i.Id));
    }

    private void Interrupted(Ec2Instance instance, string pool, string runner, string reason, DateTimeOffset now)
    {
        var (counted, opened) = _breaker.Interrupted(pool, instance.Id, now);
        if (counted)
        {
            Ec2ProviderLog.SpotInterrupted(_logger, Name, instance.Id, pool, runner, reason);
        }

        if (opened)
        {
            Ec2ProviderLog.SpotBreakerOpened(_logger, Name, pool, _settings.SpotBreakerInterruptions, _settings.SpotBreakerWindow.TotalMinutes, now + _settings.SpotBreakerOnDemandFor);
        }
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            var result = await call().ConfigureAwait(false);
            _health.Succeeded();
            return result;
        }
        catch (Exception e)
        {
            _health.Failed(e);
            throw;
        }
    }

    private async Task CallAsync(Func<Task> call) => await CallAsync(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    }).ConfigureAwait(false);

    /// <summary>One way to launch: an instance type (null: the launch template's), a subnet (null: the default) and a market.</summary>
    internal sealed record LaunchChoice(string? InstanceType, string? Subnet, bool Spot);

    /// <summary>The user data of a runner's launch not yet confirmed, repeated by its retries until its token expires.</summary>
    private sealed record PendingLaunch(string UserData, string CredentialKind, DateTimeOffset ExpiresAt);

    private sealed record Launched(string InstanceId, string Runner, string Pool, DateTimeOffset At);
}
