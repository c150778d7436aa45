using Drover.Core.Cost;

namespace Drover.Core.Config;

/// <summary>Rules for <c>teams:</c>: names, pool references, one team per pool, quotas, budgets in the pools' currency.</summary>
internal static class TeamRules
{
    public static void Check(ValidationContext context)
    {
        var config = context.Config;
        NameRules.CheckUnique(context, "teams", "team", [.. config.Teams.Select(t => t.Name)]);
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Teams.Count; i++)
        {
            var team = config.Teams[i];
            var path = $"teams[{i}]";
            NameRules.CheckName(context, $"{path}.name", team.Name);
            for (var j = 0; j < team.Pools.Count; j++)
            {
                var name = team.Pools[j];
                if (config.FindPool(name) is not { } pool)
                {
                    context.Report($"{path}.pools[{j}]", $"no pool named '{name}'; defined: {ValidationContext.List(config.Pools.Select(p => p.Name))}");
                }
                else if (pool.Team is { } own && own != team.Name)
                {
                    context.Report($"{path}.pools[{j}]", $"pool '{name}' says it belongs to team '{own}'");
                }
                else if (!claimed.TryAdd(name, team.Name) && claimed[name] != team.Name)
                {
                    context.Report($"{path}.pools[{j}]", $"pool '{name}' is already a pool of team '{claimed[name]}'; a pool belongs to one team");
                }
            }

            CheckQuota(context, path, team);
            CheckWeight(context, path, team);
            PoolRules.CheckBudget(context, $"{path}.budget", team.Budget);
            if (team.Budget is { } budget)
            {
                foreach (var pool in config.PoolsOf(team.Name))
                {
                    var price = PriceBook.For(config, pool);
                    if (!price.IsFree && price.Currency != budget.Currency)
                    {
                        context.Report($"{path}.budget.currency", $"the budget counts {budget.Currency} but the team's pool '{pool.Name}' is priced in {price.Currency}");
                        break;
                    }
                }
            }

            if (team.Budget is not null && config.PoolsOf(team.Name).Any() && config.PoolsOf(team.Name).All(p => PriceBook.For(config, p).IsFree))
            {
                context.Report($"{path}.budget", $"the runners of team '{team.Name}' cost nothing (none of its pools is priced), so this budget would never be reached; price them or remove the budget");
            }

            if ((team.Budget is not null || team.HasQuota) && !config.PoolsOf(team.Name).Any())
            {
                context.Report(path, $"team '{team.Name}' has no pools: list them under pools, or set team: {team.Name} on them; its budget or quota would have no effect");
            }
        }
    }

    private static void CheckWeight(ValidationContext context, string path, TeamConfig team)
    {
        if (team.Weight is not { } weight)
        {
            return;
        }

        if (weight < 1)
        {
            context.Report($"{path}.weight", $"a weight is at least 1, got {weight}");
        }
        else if (!context.Config.PoolsOf(team.Name).Any(p => p.Placement.Any(place => context.Config.FindProvider(place.Name)?.MaxRunners is not null)))
        {
            context.Report($"{path}.weight", $"team '{team.Name}' shares no capacity: none of its pools places runners on a provider with maxRunners, so its weight would have no effect; set maxRunners on the provider or remove the weight");
        }
    }

    private static void CheckQuota(ValidationContext context, string path, TeamConfig team)
    {
        if (team.MaxRunners is < 0)
        {
            context.Report($"{path}.quota.runners", $"must not be negative, got {team.MaxRunners}");
        }

        if (team.MaxGpus is < 0)
        {
            context.Report($"{path}.quota.gpus", $"must not be negative, got {team.MaxGpus}");
        }

        if (team.MaxVcpus is < 0)
        {
            context.Report($"{path}.quota.vcpus", $"must not be negative, got {team.MaxVcpus}");
        }

        if (team.MaxVcpus is not null)
        {
            foreach (var pool in context.Config.PoolsOf(team.Name))
            {
                if (InstanceResources.Of(pool.Template).Vcpu is null)
                {
                    context.Report($"{path}.quota.vcpus", $"the team's pool '{pool.Name}' sets no cpu or profile, so its runners' vCPUs are unknown; set template.cpu or template.profile");
                }
            }
        }
    }
}
