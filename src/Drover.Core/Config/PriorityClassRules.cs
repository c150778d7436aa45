namespace Drover.Core.Config;

/// <summary>
/// Rules for <c>priorityClasses:</c> (the binder checks each has a match): names, a match in one class only, a match some forge of
/// the fleet tells, and a capacity pools share (without one the classes would change nothing).
/// </summary>
internal static class PriorityClassRules
{
    public static void Check(ValidationContext context)
    {
        var config = context.Config;
        if (config.PriorityClasses.Count == 0)
        {
            return;
        }

        NameRules.CheckUnique(context, "priorityClasses", "priority class", [.. config.PriorityClasses.Select(c => c.Name)]);
        var gitLab = config.Forges.Any(f => f.Kind == ForgeKind.GitLab);
        var gitHub = config.Forges.Any(f => f.Kind == ForgeKind.GitHub);
        var claimedBy = new Dictionary<PriorityMatch, string>();
        for (var i = 0; i < config.PriorityClasses.Count; i++)
        {
            var priorityClass = config.PriorityClasses[i];
            var path = $"priorityClasses[{i}]";
            NameRules.CheckName(context, $"{path}.name", priorityClass.Name);
            for (var j = 0; j < priorityClass.Match.Count; j++)
            {
                var match = priorityClass.Match[j];
                var at = $"{path}.match[{j}]";
                var word = ConfigVocabulary.PriorityMatches.First(m => m.Value == match).Key;
                if (!claimedBy.TryAdd(match, priorityClass.Name))
                {
                    context.Report(at, $"'{word}' is already matched by priority class '{claimedBy[match]}'; a job is of the first class that matches it, so this would never apply");
                }
                else if (match == PriorityMatch.Tags && !gitLab)
                {
                    context.Report(at, "no forge of this fleet tells tags: GitLab does (the job's 'tag'), GitHub's job payloads do not (a tag push is a branch named like the tag), so this would never match; remove it or match 'branches'");
                }
                else if (match == PriorityMatch.PullRequests && gitHub)
                {
                    context.Warn(at, "GitHub tells a pull request only for jobs its poller lists (the workflow run's event); a job that only arrives by webhook counts as 'branches' until the poller sees it"
                        + (gitLab ? " (GitLab tells merge requests always)" : string.Empty));
                }
            }
        }

        if (!config.Pools.Any(p => p.Placement.Any(place => config.FindProvider(place.Name)?.MaxRunners is not null)))
        {
            context.Report("priorityClasses[0]", "no pool places runners on a provider with maxRunners, so there is no shared capacity to serve in class order and the classes would have no effect; set maxRunners on the provider or remove priorityClasses");
        }
    }
}
