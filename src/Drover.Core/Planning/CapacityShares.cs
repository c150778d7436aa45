using System.Globalization;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>
/// Fair share of the providers whose capacity pools share (<c>maxRunners</c>), worked out once per plan from the
/// observed runners and the matched demand, before any pool is planned: an input to each pool's plan, like its team's
/// quota. The claimants of a provider's capacity are the teams of the pools on it (a pool without a team claims for
/// itself, weight 1). Each claimant's target is its weighted fair share (<see cref="FairShare"/>) of the capacity over
/// its need (its busy runners there plus its queued jobs, within its pools' <c>max</c> and its quota). New runners go
/// first to claimants below their target; capacity no one needs is lent to whoever asks, and taken back as demand
/// returns: when the capacity is full and a claimant is below its target, idle runners of claimants above theirs are
/// reclaimed (longest idle first). Busy runners are never touched. With priority classes (<c>priorityClasses:</c>) the
/// need is split by class and the capacity goes to the demand of the higher class across claimants first, by weight
/// within a class (<see cref="FairShare.AllocateByClass"/>); a job's class comes from what its forge told of its ref.
/// </summary>
internal sealed class CapacityShares
{
    private readonly Dictionary<string, ProviderShare> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reclaimed = new(StringComparer.Ordinal);

    private CapacityShares()
    {
    }

    /// <summary>Nothing shared: no provider has a capacity.</summary>
    public static CapacityShares None { get; } = new();

    /// <summary>The plan-level notes: each capacity's targets and holdings, one line per provider.</summary>
    public IEnumerable<string> Notes => _providers.Count == 0 ? [] : _providers.Values.OrderBy(p => p.Provider, StringComparer.Ordinal).SelectMany(p => p.Describe());

    /// <summary>
    /// Works out the shares for <paramref name="cycle"/>; <paramref name="queuedOf"/> gives each pool's matched queued jobs
    /// by priority class (index 0 the highest, <c>PriorityClasses.Count + 1</c> entries; one entry without classes), and
    /// <paramref name="classOfBusy"/> the class of the job a busy runner runs (the lowest when unknown).
    /// </summary>
    public static CapacityShares Compute(PlanningCycle cycle, Func<string, IReadOnlyList<int>> queuedOf, Func<Runner, int> classOfBusy)
    {
        var config = cycle.Config;
        var anyCapacity = false;
        foreach (var provider in config.Providers)
        {
            anyCapacity |= provider.MaxRunners is not null;
        }

        if (!anyCapacity)
        {
            return None;
        }

        var shares = new CapacityShares();
        foreach (var provider in config.Providers)
        {
            if (provider.MaxRunners is { } capacity)
            {
                shares._providers[provider.Name] = ProviderShare.Compute(cycle, provider.Name, capacity, queuedOf, classOfBusy, shares._reclaimed);
            }
        }

        return shares;
    }

    /// <summary>The claimant of <paramref name="pool"/>'s share: its team, or the pool itself.</summary>
    public static string ClaimantOf(FleetConfig config, PoolConfig pool) =>
        config.TeamOf(pool) is { } team ? Cost.BudgetPeriods.TeamBudget(team) : Cost.BudgetPeriods.PoolBudget(pool.Name);

    /// <summary>True when <paramref name="runnerId"/> (idle) is taken back for a claimant below its share; <paramref name="reason"/> says so.</summary>
    public bool IsReclaimed(string runnerId, out string reason) => _reclaimed.TryGetValue(runnerId, out reason!);

    /// <summary>New runners <paramref name="pool"/> may still place on <paramref name="provider"/> in this plan; null: no capacity limit.</summary>
    public int? Left(FleetConfig config, PoolConfig pool, string provider) =>
        _providers.TryGetValue(provider, out var share) ? share.Left(ClaimantOf(config, pool)) : null;

    /// <summary>Records <paramref name="count"/> new runners of <paramref name="pool"/> on <paramref name="provider"/>.</summary>
    public void Take(FleetConfig config, PoolConfig pool, string provider, int count)
    {
        if (count > 0 && _providers.TryGetValue(provider, out var share))
        {
            share.Take(ClaimantOf(config, pool), count);
        }
    }

    /// <summary>Why <paramref name="pool"/> can place no more runners on <paramref name="provider"/>, for plan notes.</summary>
    public string WhyFull(FleetConfig config, PoolConfig pool, string provider) =>
        _providers.TryGetValue(provider, out var share) ? share.WhyFull(ClaimantOf(config, pool)) : $"provider '{provider}' has no capacity limit";

    private sealed class Claim(string name, int weight, int classes)
    {
        public string Name { get; } = name;

        /// <summary>Busy runners by the priority class of their jobs.</summary>
        public int[] BusyByClass { get; } = new int[classes];

        /// <summary>Queued jobs it could take by priority class, within its pools' max and its quota.</summary>
        public int[] QueuedByClass { get; } = new int[classes];

        /// <summary>Its share of the capacity by priority class; <see cref="Target"/> is their sum.</summary>
        public int[] TargetByClass { get; set; } = new int[classes];

        public int NeedOf(int priorityClass) => BusyByClass[priorityClass] + QueuedByClass[priorityClass];

        /// <summary>Its share for classes 0 to <paramref name="priorityClass"/>.</summary>
        public int TargetThrough(int priorityClass) => TargetByClass.Take(priorityClass + 1).Sum();

        public int Weight { get; } = weight;

        /// <summary>Booting, idle and busy runners on the provider.</summary>
        public int Held { get; set; }

        public int Busy { get; set; }

        /// <summary>Runners it could use now: busy ones plus queued jobs, within its pools' max and its quota.</summary>
        public int Need { get; set; }

        public int Target { get; set; }

        /// <summary>Creations kept for it in this plan (to bring it up to its target).</summary>
        public int Reserved { get; set; }

        public int Reclaimed { get; set; }

        public List<Runner> Idle { get; } = [];
    }

    private sealed class ProviderShare
    {
        private readonly SortedDictionary<string, Claim> _claims = new(StringComparer.Ordinal);

        private readonly FleetConfig _config;

        private ProviderShare(FleetConfig config, string provider, int capacity)
        {
            _config = config;
            Provider = provider;
            Capacity = capacity;
            Classes = config.PriorityClasses.Count + 1;
        }

        /// <summary>Priority classes counted: those configured and the lowest (jobs no class matches); 1 without classes.</summary>
        private int Classes { get; }

        public string Provider { get; }

        public int Capacity { get; }

        /// <summary>Creations any claimant may take: capacity nobody below its target needs (lent out).</summary>
        private int Common { get; set; }

        private int InUse { get; set; }

        public static ProviderShare Compute(
            PlanningCycle cycle, string provider, int capacity, Func<string, IReadOnlyList<int>> queuedOf, Func<Runner, int> classOfBusy, Dictionary<string, string> reclaimed)
        {
            var config = cycle.Config;
            var share = new ProviderShare(config, provider, capacity);
            var busyByPool = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var runner in cycle.Observed.Runners)
            {
                if (!runner.IsActive || !string.Equals(runner.Provider, provider, StringComparison.Ordinal)
                    || (config.FindPool(runner.Pool) is { } reaped ? PoolPlanning.WillReap(cycle, reaped, runner) : runner.State != RunnerState.Busy))
                {
                    // A runner this plan reaps (stuck, past its boot timeout or maxLifetime; of a removed pool and not
                    // busy) leaves its slot to this plan.
                    continue;
                }

                // Busy runners of a pool no longer configured (or no longer placed here) still take room until they finish.
                var claim = config.FindPool(runner.Pool) is { } owner ? share.ClaimOf(config, owner) : share.ClaimNamed(Cost.BudgetPeriods.PoolBudget(runner.Pool), 1);
                claim.Held++;
                if (runner.State == RunnerState.Busy)
                {
                    busyByPool[runner.Pool] = busyByPool.GetValueOrDefault(runner.Pool) + 1;
                    claim.Busy++;
                    claim.Need++;
                    claim.BusyByClass[Math.Clamp(classOfBusy(runner), 0, share.Classes - 1)]++;
                }
                else if (runner.State == RunnerState.Idle)
                {
                    claim.Idle.Add(runner);
                }
            }

            var quotaNeed = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var pool in config.Pools)
            {
                if (!pool.Placement.Any(p => string.Equals(p.Name, provider, StringComparison.Ordinal)))
                {
                    continue;
                }

                // Queued jobs, as far as the pool's max leaves room beside its busy runners here; none for a pool whose
                // hard-cap budget is reached (it makes no new runners).
                var claim = share.ClaimOf(config, pool);
                var busy = busyByPool.GetValueOrDefault(pool.Name);
                var capped = cycle.BudgetsOf(pool).Any(b => b.Exhausted && b.Budget.Action == BudgetAction.HardCap);
                // The room goes to the higher classes' jobs first.
                var room = capped ? 0 : Math.Max(0, ScheduleOverlay.Apply(pool, cycle.Now).Max - busy);
                var queued = queuedOf(pool.Name);
                for (var k = 0; k < share.Classes && k < queued.Count && room > 0; k++)
                {
                    var counted = Math.Min(room, Math.Max(0, queued[k]));
                    claim.QueuedByClass[k] += counted;
                    claim.Need += counted;
                    room -= counted;
                }
                if (config.TeamOf(pool) is { } team && config.FindTeam(team)?.MaxRunners is { } quota)
                {
                    quotaNeed[claim.Name] = quota;
                }
            }

            var claims = share._claims.Values.ToArray();
            foreach (var claim in claims)
            {
                if (quotaNeed.TryGetValue(claim.Name, out var quota))
                {
                    // A team's quota counts its runners everywhere; more than it on one provider it cannot use.
                    var cut = claim.Need - Math.Max(claim.Busy, Math.Min(claim.Need, quota));
                    claim.Need -= cut;
                    for (var k = share.Classes - 1; k >= 0 && cut > 0; k--)
                    {
                        // The lowest classes' queued jobs are the ones the quota leaves out.
                        var less = Math.Min(cut, claim.QueuedByClass[k]);
                        claim.QueuedByClass[k] -= less;
                        cut -= less;
                    }
                }

                share.InUse += claim.Held;
            }

            var demands = Enumerable.Range(0, share.Classes).Select(k => (IReadOnlyList<int>)[.. claims.Select(c => c.NeedOf(k))]).ToArray();
            var targets = FairShare.AllocateByClass(capacity, [.. claims.Select(c => c.Weight)], demands);
            for (var i = 0; i < claims.Length; i++)
            {
                claims[i].TargetByClass = [.. targets.Select(t => t[i])];
                claims[i].Target = claims[i].TargetByClass.Sum();
            }

            // Room for new runners: what is free, plus idle lent runners reclaimed when claimants below their share
            // need more than that (and than a capacity lowered below what is in use takes back first).
            var free = Math.Max(0, capacity - share.InUse);
            var over = Math.Max(0, share.InUse - capacity);
            var deficit = claims.Sum(c => Math.Max(0, c.Target - c.Held));
            var taken = share.Reclaim(claims, deficit - free + over, reclaimed);
            var slots = Math.Max(0, capacity - (share.InUse - taken));
            var reserve = Math.Min(slots, deficit);
            for (var k = 0; k < share.Classes; k++)
            {
                // Higher classes' shares are kept first; without classes this is one pass over the whole target.
                reserve -= share.Reserve(claims, reserve, k);
            }

            share.Common = slots - claims.Sum(c => c.Reserved);
            return share;
        }

        public int Left(string claimant) => Common + (_claims.TryGetValue(claimant, out var claim) ? claim.Reserved : 0);

        public void Take(string claimant, int count)
        {
            if (_claims.TryGetValue(claimant, out var claim))
            {
                var own = Math.Min(count, claim.Reserved);
                claim.Reserved -= own;
                count -= own;
            }

            Common = Math.Max(0, Common - count);
        }

        public string WhyFull(string claimant)
        {
            var claim = _claims.GetValueOrDefault(claimant);
            var holds = claim is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; {claimant} holds {claim.Held}, its fair share {claim.Target} (weight {claim.Weight})");
            var waiting = claim is null ? [] : Enumerable.Range(0, Classes).Where(k => claim.NeedOf(k) > claim.TargetByClass[k] && HigherClassesTake(k)).Select(k => $"'{_config.PriorityClassName(k)}'").ToList();
            var classes = waiting.Count == 0 ? string.Empty : $"; its jobs of priority class {string.Join(", ", waiting)} wait while higher classes take the capacity";
            return string.Create(CultureInfo.InvariantCulture, $"provider '{Provider}' at capacity (maxRunners {Capacity}, {InUse} in use){holds}{classes}");
        }

        public IEnumerable<string> Describe()
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"fair share of provider '{Provider}' (maxRunners {Capacity}, {InUse} in use): ")
                + string.Join(", ", _claims.Values.Select(c => string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name} weight {c.Weight}, needs {c.Need}, share {c.Target}, holds {c.Held}{(c.Reclaimed > 0 ? $" ({c.Reclaimed} idle reclaimed)" : string.Empty)}")));
            if (Classes == 1)
            {
                yield break;
            }

            yield return string.Create(CultureInfo.InvariantCulture, $"priority classes of provider '{Provider}', highest first: ")
                + string.Join("; ", Enumerable.Range(0, Classes).Select(k => string.Create(CultureInfo.InvariantCulture,
                    $"{_config.PriorityClassName(k)} needs {_claims.Values.Sum(c => c.NeedOf(k))}, share {_claims.Values.Sum(c => c.TargetByClass[k])}")));
            for (var k = 1; k < Classes; k++)
            {
                var need = _claims.Values.Sum(c => c.NeedOf(k));
                var target = _claims.Values.Sum(c => c.TargetByClass[k]);
                if (need > target && HigherClassesTake(k))
                {
                    var higher = Enumerable.Range(0, k).Where(j => _claims.Values.Sum(c => c.TargetByClass[j]) > 0).Select(j => _config.PriorityClassName(j));
                    yield return string.Create(CultureInfo.InvariantCulture,
                        $"priority class '{_config.PriorityClassName(k)}' waits on provider '{Provider}': {need - target} of the {need} runners its jobs could use get no share while higher classes ({string.Join(", ", higher)}) take the capacity (maxRunners {Capacity})");
                }
            }
        }

        /// <summary>True when classes above <paramref name="priorityClass"/> have a share of the capacity.</summary>
        private bool HigherClassesTake(int priorityClass) =>
            Enumerable.Range(0, priorityClass).Any(j => _claims.Values.Any(c => c.TargetByClass[j] > 0));

        private Claim ClaimOf(FleetConfig config, PoolConfig pool)
        {
            var weight = config.TeamOf(pool) is { } team ? config.FindTeam(team)?.ShareWeight ?? 1 : 1;
            return ClaimNamed(ClaimantOf(config, pool), weight);
        }

        private Claim ClaimNamed(string name, int weight)
        {
            if (!_claims.TryGetValue(name, out var claim))
            {
                claim = new Claim(name, weight, Classes);
                _claims[name] = claim;
            }

            return claim;
        }

        /// <summary>
        /// Takes back up to <paramref name="wanted"/> idle runners lent to claimants above their target, from the one most
        /// above it first, longest idle first; returns how many.
        /// </summary>
        private int Reclaim(Claim[] claims, int wanted, Dictionary<string, string> reclaimed)
        {
            var taken = 0;
            while (taken < wanted)
            {
                Claim? lender = null;
                foreach (var claim in claims)
                {
                    if (claim.Held - claim.Reclaimed > claim.Target && claim.Idle.Count > claim.Reclaimed
                        && (lender is null || claim.Held - claim.Reclaimed - claim.Target > lender.Held - lender.Reclaimed - lender.Target))
                    {
                        lender = claim;
                    }
                }

                if (lender is null)
                {
                    break;
                }

                if (lender.Reclaimed == 0)
                {
                    lender.Idle.Sort(static (a, b) => a.StateSince != b.StateSince ? a.StateSince.CompareTo(b.StateSince) : string.CompareOrdinal(a.Id, b.Id));
                }

                var runner = lender.Idle[lender.Reclaimed++];
                var below = claims.Where(c => c.Target > c.Held).Select(c => c.Name);
                reclaimed[runner.Id] = string.Create(CultureInfo.InvariantCulture,
                    $"reclaimed for fair share: provider '{Provider}' is at maxRunners {Capacity}; {lender.Name} holds {lender.Held}, above its share {lender.Target}, while {string.Join(", ", below)} is below its share");
                taken++;
            }

            return taken;
        }

        /// <summary>
        /// Keeps up to <paramref name="slots"/> creations for claimants below their target for classes 0 to
        /// <paramref name="priorityClass"/>, one at a time to the one furthest below by weight; returns how many.
        /// </summary>
        private int Reserve(Claim[] claims, int slots, int priorityClass)
        {
            var targets = claims.Select(c => c.TargetThrough(priorityClass)).ToArray();
            for (var i = 0; i < slots; i++)
            {
                Claim? next = null;
                for (var c = 0; c < claims.Length; c++)
                {
                    var claim = claims[c];
                    var has = claim.Held - claim.Reclaimed + claim.Reserved;
                    if (has >= targets[c])
                    {
                        continue;
                    }

                    // Smallest (has + 1) / weight first: compared as cross products, ties to the name first.
                    if (next is null || ((long)(has + 1) * next.Weight) < ((long)(next.Held - next.Reclaimed + next.Reserved + 1) * claim.Weight))
                    {
                        next = claim;
                    }
                }

                if (next is null)
                {
                    return i;
                }

                next.Reserved++;
            }

            return slots;
        }
    }
}
