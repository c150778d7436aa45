using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Core.Resilience;

namespace Drover.Core.Planning;

/// <summary>The inputs and accumulating outputs of one <see cref="Planner.Plan"/> call.</summary>
internal sealed class PlanningCycle(
    FleetConfig config,
    ObservedState observed,
    DateTimeOffset now,
    IDemandHistory? history,
    IReadOnlyDictionary<JobKey, Job> finishedJobsOfBusyRunners,
    IReadOnlySet<Runners.Runner> runnersOffRunningJobs,
    CircuitBreakerOptions breakerOptions)
{
    private Dictionary<string, int?>? _createsLeft;

    /// <summary>Creations left per provider in this cycle, made on the first create (most cycles create nothing).</summary>
    private Dictionary<string, int?> CreatesLeftByProvider => _createsLeft ??= new(StringComparer.Ordinal);
    private Dictionary<string, (int Runners, decimal Vcpus, int Gpus)>? _teamUsage;

    public FleetConfig Config { get; } = config;

    public ObservedState Observed { get; } = observed;

    public DateTimeOffset Now { get; } = now;

    public IDemandHistory? History { get; } = history;

    public IReadOnlyDictionary<JobKey, Job> FinishedJobsOfBusyRunners { get; } = finishedJobsOfBusyRunners;

    /// <summary>
    /// The observed runners (these instances of <see cref="ObservedState.Runners"/>, compared by reference) that name a
    /// job the ledger does not have running. Every other observed runner that names a job is on a running job: as busy,
    /// it is working, whatever its busy timeout says.
    /// </summary>
    public IReadOnlySet<Runners.Runner> RunnersOffRunningJobs { get; } = runnersOffRunningJobs;

    /// <summary>How long <paramref name="runner"/> (busy, of <paramref name="pool"/>) may stay busy (see <see cref="RunnerTimeouts.BusyLimit"/>).</summary>
    public TimeSpan BusyLimit(PoolConfig pool, Runners.Runner runner) =>
        pool.Timeouts.BusyLimit(Config.FindForge(pool.Forge)?.Kind ?? ForgeKind.GitHub, runner.Job is not null && !RunnersOffRunningJobs.Contains(runner));

    /// <summary>The budgets that apply to <paramref name="pool"/> (its own, its team's), where each stands now.</summary>
    public IEnumerable<Cost.BudgetStatus> BudgetsOf(PoolConfig pool)
    {
        if (pool.Budget is { } own)
        {
            yield return Cost.BudgetPeriods.Status(Cost.BudgetPeriods.PoolBudget(pool.Name), own, Observed.PoolSpend.GetValueOrDefault(pool.Name), Now);
        }

        if (Config.TeamOf(pool) is { } team && Config.FindTeam(team)?.Budget is { } shared)
        {
            yield return Cost.BudgetPeriods.Status(Cost.BudgetPeriods.TeamBudget(team), shared, Observed.TeamSpend.GetValueOrDefault(team), Now);
        }
    }

    /// <summary>The fair shares of the capacities pools share, worked out before any pool is planned.</summary>
    public CapacityShares Shares { get; set; } = CapacityShares.None;

    /// <summary>
    /// How many of <paramref name="wanted"/> new runners of <paramref name="pool"/> its team's quotas leave room for
    /// (runners, vCPUs, GPUs across the team's pools, booting, idle and busy runners counted); all when the team has
    /// none. Nothing is taken until <see cref="UseTeamQuota"/>.
    /// </summary>
    public int TeamQuotaLeft(PoolConfig pool, int wanted, out string? withheldBecause)
    {
        withheldBecause = null;
        if (Config.TeamOf(pool) is not { } name || Config.FindTeam(name) is not { HasQuota: true } team || wanted <= 0)
        {
            return wanted;
        }

        _teamUsage ??= TeamUsage();
        var used = _teamUsage.GetValueOrDefault(name);
        var size = Cost.InstanceResources.Of(pool.Template);
        var granted = wanted;
        if (team.MaxRunners is { } runners)
        {
            granted = Math.Min(granted, Math.Max(0, runners - used.Runners));
        }

        if (team.MaxVcpus is { } vcpus && size.Vcpu is > 0 and { } perRunner)
        {
            granted = Math.Min(granted, (int)Math.Max(0, decimal.Floor((vcpus - used.Vcpus) / perRunner)));
        }

        if (team.MaxGpus is { } gpus && size.Gpu > 0)
        {
            granted = Math.Min(granted, Math.Max(0, (gpus - used.Gpus) / size.Gpu));
        }

        if (granted < wanted)
        {
            withheldBecause = $"team '{name}' quota reached ({Describe(team)}; in use {used.Runners} runner(s), {used.Vcpus:0.##} vCPU, {used.Gpus} GPU)";
        }

        return granted;
    }

    /// <summary>Counts <paramref name="created"/> new runners of <paramref name="pool"/> against its team's quotas.</summary>
    public void UseTeamQuota(PoolConfig pool, int created)
    {
        if (created <= 0 || Config.TeamOf(pool) is not { } name || Config.FindTeam(name) is not { HasQuota: true })
        {
            return;
        }

        _teamUsage ??= TeamUsage();
        var used = _teamUsage.GetValueOrDefault(name);
        var size = Cost.InstanceResources.Of(pool.Template);
        _teamUsage[name] = (used.Runners + created, used.Vcpus + (created * (size.Vcpu ?? 0)), used.Gpus + (created * size.Gpu));
    }

    private static string Describe(TeamConfig team) => string.Join(", ", new[]
    {
        team.MaxRunners is { } r ? $"{r} runner(s)" : null,
        team.MaxVcpus is { } v ? $"{v:0.##} vCPU" : null,
        team.MaxGpus is { } g ? $"{g} GPU" : null,
    }.Where(s => s is not null));

    /// <summary>What each team's booting, idle and busy runners use now.</summary>
    private Dictionary<string, (int Runners, decimal Vcpus, int Gpus)> TeamUsage()
    {
        var usage = new Dictionary<string, (int Runners, decimal Vcpus, int Gpus)>(StringComparer.Ordinal);
        foreach (var runner in Observed.Runners)
        {
            if (!runner.IsActive || Config.FindPool(runner.Pool) is not { } pool || Config.TeamOf(pool) is not { } team)
            {
                continue;
            }

            var size = Cost.InstanceResources.Of(pool.Template);
            var used = usage.GetValueOrDefault(team);
            usage[team] = (used.Runners + 1, used.Vcpus + (size.Vcpu ?? 0), used.Gpus + size.Gpu);
        }

        return usage;
    }

    public List<PlanAction> Actions { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>Takes up to <paramref name="wanted"/> creations from the provider's breaker allowance for this cycle.</summary>
    public int TakeCreates(string provider, int wanted, out string? withheldBecause)
    {
        withheldBecause = null;
        var left = CreatesLeft(provider);
        if (left is null || left.Value >= wanted)
        {
            CreatesLeftByProvider[provider] = left - wanted;
            return wanted;
        }

        var granted = Math.Max(0, left.Value);
        CreatesLeftByProvider[provider] = left.Value - granted;
        withheldBecause = $"provider '{provider}' circuit {DescribeBreaker(provider)}";
        return granted;
    }

    /// <summary>True when the provider's breaker lets one more runner be created in this cycle.</summary>
    public bool CanCreate(string provider) => CreatesLeft(provider) is not <= 0;

    /// <summary>The provider's breaker in words, for plan notes.</summary>
    public string DescribeBreaker(string provider)
    {
        var state = Observed.Breakers.TryGetValue(provider, out var s) ? s : CircuitBreakerState.Closed;
        var text = CircuitBreaker.Describe(state, Now, breakerOptions);
        return CircuitBreaker.Current(state, Now, breakerOptions) == BreakerStatus.HalfOpen && ProbesInFlight(provider, state) > 0
            ? $"{text}; probe runner still booting"
            : text;
    }

    /// <summary>
    /// Creations the provider's breaker still allows in this cycle: null when closed (no limit); when half-open, one
    /// probe less the probes already booting (a probe's outcome is its runner registering or failing, which takes a boot).
    /// </summary>
    private int? CreatesLeft(string provider)
    {
        if (CreatesLeftByProvider.TryGetValue(provider, out var left))
        {
            return left;
        }

        var state = Observed.Breakers.TryGetValue(provider, out var s) ? s : CircuitBreakerState.Closed;
        left = CircuitBreaker.AllowedCreates(state, Now, breakerOptions);
        if (left is > 0)
        {
            left = Math.Max(0, left.Value - ProbesInFlight(provider, state));
        }

        CreatesLeftByProvider[provider] = left;
        return left;
    }

    /// <summary>Runners on <paramref name="provider"/> still booting that were created since the breaker half-opened.</summary>
    private int ProbesInFlight(string provider, CircuitBreakerState state)
    {
        if (CircuitBreaker.HalfOpensAt(state, breakerOptions) is not { } since)
        {
            return 0;
        }

        var probes = 0;
        foreach (var runner in Observed.Runners)
        {
            if (runner.IsBooting && runner.CreatedAt >= since && string.Equals(runner.Provider, provider, StringComparison.Ordinal))
            {
                probes++;
            }
        }

        return probes;
    }
}
