using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.External;

/// <summary>
/// A provider whose instances an executable makes, called as GARM calls its external providers
/// (<c>docs/providers/external.md</c>): <c>CreateInstance</c> with the <c>BootstrapInstance</c> JSON on stdin,
/// <c>DeleteInstance</c> (exit 30, not found, is success), <c>ListInstances</c> per pool. The runner's credential never
/// reaches the executable: it gets a per-instance bootstrap token, which the instance trades at Drover's metadata
/// endpoints while it boots.
/// </summary>
internal sealed class ExternalProvider : IProvider, IHealthReporting
{
    private const int MaxWordsInMessage = 1500;
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };
    private readonly ExternalProviderSettings _settings;
    private readonly ExternalExecutable _executable;
    private readonly AdapterContext _context;
    private readonly ILogger _logger;
    private readonly HealthRecorder _health;
    private readonly ConcurrentDictionary<string, KnownInstance> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _idByName = new(StringComparer.Ordinal);

    public ExternalProvider(string name, ExternalProviderSettings settings, ExternalExecutable executable, AdapterContext context, ILogger logger)
    {
        Name = name;
        _settings = settings;
        _executable = executable;
        _context = context;
        _logger = logger;
        _health = new HealthRecorder(context.Time);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The settings it runs with.</summary>
    public ExternalProviderSettings Settings => _settings;

    /// <summary>The bootstrap tokens it issues its instances.</summary>
    public InstanceBootstrap Tokens => _context.Bootstrap;

    /// <inheritdoc/>
    public ComponentHealth Health() => _health.Health(
        "provider",
        Name,
        new Dictionary<string, string> { ["executable"] = _executable.Path, ["interfaceVersion"] = _settings.InterfaceVersion },
        $"not checked yet: {Path.GetFileName(_executable.Path)} has not been called since start");

    /// <inheritdoc/>
    public async Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.IdempotencyKey;
        if (_idByName.TryGetValue(name, out var existing))
        {
            // Made already: the credential minted for this repeat is not needed and does not wait in the vault.
            _context.Vault.Take(request.CredentialRef);
            return existing;
        }

        var credential = _context.Vault.Take(request.CredentialRef)
            ?? throw new ExternalProviderException($"CreateInstance for runner {name}: its credential is not in the vault (already used or never minted)", CallFailureKind.Transient);
        var token = _context.Bootstrap.Issue(request.Pool, name, credential, _settings.BootstrapTimeout);
        var bootstrap = Bootstrap(request, name, token, credential.Kind == "jit-config");
        var stdin = JsonSerializer.Serialize(bootstrap, Json);
        GarmProviderInstance instance;
        try
        {
            var call = await RunAsync(GarmCommand.CreateInstance, request.Pool, null, stdin, _settings.CreateTimeout, token, cancellationToken).ConfigureAwait(false);
            instance = Parse<GarmProviderInstance>(call, token, name) ?? throw Failure(call, "wrote null instead of an instance", token, name);
            if (instance.Problem() is { } problem)
            {
                throw Failure(call, $"answered an instance GARM would refuse: {problem}", token, name);
            }

            if (!string.Equals(instance.Name, name, StringComparison.Ordinal))
            {
                throw Failure(call, $"answered an instance named '{instance.Name}', not '{name}'", token, name);
            }

            if (instance.Status == "error")
            {
                throw Failure(call, "created the instance in status error" + (instance.Fault() is { } fault ? $": {Bound(Redact(fault, token))}" : string.Empty), token, name);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _context.Bootstrap.Close(name);
            _health.Failed(e);
            ExternalProviderLog.CallFailed(_logger, Name, GarmCommand.CreateInstance, e.Message);
            await CleanUpAsync(name, request.Pool).ConfigureAwait(false);
            throw;
        }

        _health.Succeeded();
        Remember(instance.ProviderId!, name, request.Pool);
        ExternalProviderLog.Created(_logger, Name, Path.GetFileName(_executable.Path), instance.ProviderId!, name, request.Pool, instance.Status!);
        return instance.ProviderId!;
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var known = _byId.GetValueOrDefault(instanceId);
        try
        {
            var call = await RunAsync(GarmCommand.DeleteInstance, known?.Pool ?? string.Empty, instanceId, null, _settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
            if (call.ExitCode is not (0 or GarmCommand.ExitNotFound))
            {
                throw Failure(call, null, null, known?.Name ?? instanceId);
            }

            ExternalProviderLog.Deleted(_logger, Name, instanceId, call.ExitCode == GarmCommand.ExitNotFound ? " (it was already gone)" : string.Empty);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _health.Failed(e);
            ExternalProviderLog.CallFailed(_logger, Name, GarmCommand.DeleteInstance, e.Message);
            throw;
        }

        _health.Succeeded();
        _context.Bootstrap.Close(known?.Name ?? instanceId);
        Forget(instanceId);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var listed = new List<ProviderInstance>();
        foreach (var pool in Pools())
        {
            IReadOnlyList<GarmProviderInstance> instances;
            try
            {
                instances = await ListPoolAsync(pool, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _health.Failed(e);
                ExternalProviderLog.CallFailed(_logger, Name, GarmCommand.ListInstances, e.Message);
                throw;
            }

            foreach (var instance in instances)
            {
                var known = Remember(instance.ProviderId!, instance.Name!, pool);
                if (instance.Status == "stopped" && _context.Time.GetUtcNow() - known.FirstSeen >= StoppedReapAfter
                    && await ReapAsync(instance, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                listed.Add(new ProviderInstance
                {
                    Provider = Name,
                    InstanceId = instance.ProviderId!,
                    IdempotencyKey = instance.Name,
                    Pool = pool,
                    CreatedAt = known.FirstSeen,
                    Failure = instance.Status == "error"
                        ? "the external provider reports the instance in status error" + (instance.Fault() is { } fault ? $": {Bound(fault)}" : string.Empty)
                        : null,
                });
            }
        }

        _health.Succeeded();
        return listed;
    }

    /// <summary>
    /// A stopped instance is a finished one (its ephemeral runner exited, or it went down before its runner registered):
    /// it is deleted, as the Kubernetes provider's reaper deletes finished pods, once it is at least this old (so an
    /// instance a provider reports stopped for a moment while it creates it is left alone).
    /// </summary>
    public static readonly TimeSpan StoppedReapAfter = TimeSpan.FromSeconds(20);

    /// <summary>
    /// <c>ListInstances</c> for one pool, checked: a JSON array (or null, for none) of instances GARM would accept.
    /// </summary>
    /// <exception cref="ExternalProviderException">A non-zero exit, or what it wrote is not such an array.</exception>
    public async Task<IReadOnlyList<GarmProviderInstance>> ListPoolAsync(string pool, CancellationToken cancellationToken)
    {
        var call = await RunAsync(GarmCommand.ListInstances, pool, null, null, _settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
        var instances = Parse<List<GarmProviderInstance?>>(call, null, pool) ?? [];
        var problems = instances.Select((i, n) => i is null ? $"[{n}]: null" : i.Problem() is { } p ? $"[{n}]: {p}" : null).Where(p => p is not null).ToList();
        if (problems.Count > 0)
        {
            throw Failure(call, $"listed instances GARM would refuse: {string.Join("; ", problems.Take(5))}", null, pool);
        }

        return [.. instances.Select(i => i!)];
    }

    /// <summary><c>GetInstance</c>: the instance, or null when the executable says it does not exist (exit 30).</summary>
    public async Task<GarmProviderInstance?> GetAsync(string instanceId, string pool, CancellationToken cancellationToken)
    {
        var call = await RunAsync(GarmCommand.GetInstance, pool, instanceId, null, _settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
        if (call.ExitCode == GarmCommand.ExitNotFound)
        {
            return null;
        }

        var instance = Parse<GarmProviderInstance>(call, null, instanceId) ?? throw Failure(call, "wrote null instead of an instance", null, instanceId);
        return instance.Problem() is { } problem ? throw Failure(call, $"answered an instance GARM would refuse: {problem}", null, instanceId) : instance;
    }

    /// <summary><c>RemoveAllInstances</c>: every instance carrying this controller's id is deleted.</summary>
    public async Task RemoveAllAsync(CancellationToken cancellationToken)
    {
        var call = await RunAsync(GarmCommand.RemoveAllInstances, string.Empty, null, null, _settings.ExecTimeout, null, cancellationToken).ConfigureAwait(false);
        if (call.ExitCode != 0)
        {
            throw Failure(call, null, null, "all instances");
        }
    }

    /// <summary>
    /// Runs one command with GARM's environment for it: the controller id, config file and interface version always;
    /// the pool id for create and list (every command in v0.1.1, with the pool's extra specs); the instance id for the
    /// commands on one instance.
    /// </summary>
    internal Task<ExternalCall> RunAsync(string command, string pool, string? instanceId, string? stdin, TimeSpan timeout, string? secret, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GARM_COMMAND"] = command,
            ["GARM_CONTROLLER_ID"] = _context.CurrentFleet().ControllerId,
            ["GARM_PROVIDER_CONFIG_FILE"] = _settings.ConfigFile,
            ["GARM_INTERFACE_VERSION"] = _settings.InterfaceVersion,
        };
        var v011 = _settings.InterfaceVersion == GarmCommand.V011;
        if (v011 || command is GarmCommand.CreateInstance or GarmCommand.ListInstances)
        {
            environment["GARM_POOL_ID"] = pool;
        }

        if (v011)
        {
            var specs = pool.Length == 0 ? null : Template(_context.CurrentFleet().FindPool(pool)?.Template)?.ExtraSpecs;
            environment["GARM_POOL_EXTRASPECS"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(specs?.ToJsonString() ?? "null"));
        }

        if (instanceId is not null)
        {
            environment["GARM_INSTANCE_ID"] = instanceId;
        }

        return RunRedactedAsync(environment, stdin, timeout, secret, cancellationToken);
    }

    private async Task<ExternalCall> RunRedactedAsync(Dictionary<string, string> environment, string? stdin, TimeSpan timeout, string? secret, CancellationToken cancellationToken)
    {
        ExternalCall call;
        try
        {
            call = await _executable.RunAsync(environment, stdin, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ExternalProviderException e) when (secret is not null && e.Message.Contains(secret, StringComparison.Ordinal))
        {
            throw new ExternalProviderException(Redact(e.Message, secret), e.FailureKind, e.ExitCode);
        }

        if (call.Stderr.Length > 0)
        {
            ExternalProviderLog.Stderr(_logger, Name, call.Command, Bound(Redact(call.Stderr, secret)));
        }

        return call;
    }

    /// <summary>The BootstrapInstance GARM would send for this runner.</summary>
    internal GarmBootstrapInstance Bootstrap(InstanceRequest request, string name, string token, bool jit)
    {
        var fleet = _context.CurrentFleet();
        var pool = fleet.FindPool(request.Pool);
        var template = Template(request.Template) ?? new ExternalTemplateSettings();
        var labels = jit || pool is null
            ? []
            : pool.Labels.Concat(pool.Tags).Append($"runner-controller-id={fleet.ControllerId}").Append($"runner-pool-id={request.Pool}").ToList();
        return new GarmBootstrapInstance
        {
            Name = name,
            Tools = _settings.RunnerTools,
            RepoUrl = pool is null ? string.Empty : RepoUrl(fleet.FindForge(pool.Forge), pool.Scope),
            CallbackUrl = _settings.CallbackUrl.AbsoluteUri.TrimEnd('/'),
            MetadataUrl = _settings.MetadataUrl.AbsoluteUri.TrimEnd('/'),
            InstanceToken = token,
            SshKeys = template.SshKeys,
            ExtraSpecs = template.ExtraSpecs?.DeepClone() ?? new JsonObject(),
            RunnerGroup = template.RunnerGroup,
            Arch = template.Arch,
            OsType = template.OsType,
            Flavor = template.Flavor,
            Image = template.Image ?? request.Template.Image ?? string.Empty,
            Labels = labels,
            PoolId = request.Pool,
            JitConfigEnabled = jit,
        };
    }

    /// <summary>The web address of the scope a pool's runners register in, as GARM's <c>repo_url</c>.</summary>
    internal static string RepoUrl(ForgeConfig? forge, PoolScope scope)
    {
        if (forge is null)
        {
            return string.Empty;
        }

        var url = forge.Url;
        var host = url.Host.StartsWith("api.", StringComparison.OrdinalIgnoreCase) ? url.Host[4..] : url.Host;
        var path = url.AbsolutePath.TrimEnd('/');
        if (forge.Kind == ForgeKind.GitHub && path.EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^"/api/v3".Length];
        }

        var root = $"{url.Scheme}://{host}{(url.IsDefaultPort ? string.Empty : ":" + url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))}{path}";
        return scope.Kind switch
        {
            ScopeKind.Instance => root,
            ScopeKind.Enterprise => $"{root}/enterprises/{scope.Path}",
            _ => $"{root}/{scope.Path}",
        };
    }

    /// <summary>Deletes a stopped instance; true when it is gone, false (logged) when the delete failed and it stays listed.</summary>
    private async Task<bool> ReapAsync(GarmProviderInstance instance, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteAsync(instance.ProviderId!, cancellationToken).ConfigureAwait(false);
            ExternalProviderLog.Reaped(_logger, Name, instance.ProviderId!, instance.Name!);
            return true;
        }
        catch (ExternalProviderException e)
        {
            ExternalProviderLog.CleanupFailed(_logger, Name, instance.Name!, e.Message);
            return false;
        }
    }

    private static ExternalTemplateSettings? Template(InstanceTemplate? template) => template?.For<ExternalTemplateSettings>(ExternalProviderFactory.Type);

    private IEnumerable<string> Pools() =>
        _context.CurrentFleet().Pools.Where(p => p.Placement.Any(placement => placement.Name == Name)).Select(p => p.Name);

    private async Task CleanUpAsync(string name, string pool)
    {
        // As GARM does after a failed create: delete by name, whatever the executable may have left behind.
        try
        {
            var call = await RunAsync(GarmCommand.DeleteInstance, pool, name, null, _settings.ExecTimeout, null, CancellationToken.None).ConfigureAwait(false);
            if (call.ExitCode is not (0 or GarmCommand.ExitNotFound))
            {
                ExternalProviderLog.CleanupFailed(_logger, Name, name, Failure(call, null, null, name).Message);
            }
        }
        catch (ExternalProviderException e)
        {
            ExternalProviderLog.CleanupFailed(_logger, Name, name, e.Message);
        }
    }

    private T? Parse<T>(ExternalCall call, string? secret, string subject)
        where T : class
    {
        if (call.ExitCode != 0)
        {
            throw Failure(call, null, secret, subject);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(call.Stdout, Json);
        }
        catch (JsonException e)
        {
            throw Failure(call, $"wrote what is not the JSON GARM's interface asks for ({e.Message.Split(" Path:")[0]})", secret, subject);
        }
    }

    /// <summary>A failure in the executable's own words: its exit code, the end of its stderr and the start of its stdout, bounded, the token blanked.</summary>
    private ExternalProviderException Failure(ExternalCall call, string? what, string? secret, string subject)
    {
        var text = new StringBuilder($"{call.Command} ({subject}): {Path.GetFileName(_executable.Path)} ");
        text.Append(what ?? $"exited with code {call.ExitCode}");
        if (call.Stderr.Trim() is { Length: > 0 } stderr)
        {
            text.Append("; stderr: ").Append(Bound(Redact(stderr, secret)));
        }

        if (call.Stdout.Trim() is { Length: > 0 } stdout)
        {
            text.Append("; stdout: ").Append(Bound(Redact(stdout, secret)));
        }

        return new ExternalProviderException(text.ToString(), CallFailureKind.Transient, call.ExitCode);
    }

    /// <summary><paramref name="text"/> with <paramref name="secret"/> blanked out.</summary>
    internal static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "[instance-token]", StringComparison.Ordinal);

    private static string Bound(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= MaxWordsInMessage ? trimmed : "…" + trimmed[^MaxWordsInMessage..];
    }

    private KnownInstance Remember(string instanceId, string name, string pool)
    {
        var known = _byId.GetOrAdd(instanceId, _ => new KnownInstance(name, pool, _context.Time.GetUtcNow()));
        _idByName[name] = instanceId;
        return known;
    }

    private void Forget(string instanceId)
    {
        if (_byId.TryRemove(instanceId, out var known))
        {
            _idByName.TryRemove(known.Name, out _);
        }
    }

    private sealed record KnownInstance(string Name, string Pool, DateTimeOffset FirstSeen);
}
