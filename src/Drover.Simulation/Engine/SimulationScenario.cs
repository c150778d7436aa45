using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Traces;

namespace Drover.Simulation.Engine;

/// <summary>What is simulated: a fleet (its pools name their policies) and the jobs that arrive for it.</summary>
public sealed record SimulationScenario
{
    /// <summary>The fleet as production would load it; every job goes to the forge named <see cref="Forge"/>.</summary>
    public required FleetConfig Fleet { get; init; }

    /// <summary>The jobs, by arrival offset (they are sorted by the simulator if they are not).</summary>
    public required IReadOnlyList<SimulatedJob> Jobs { get; init; }

    /// <summary>The label sets <see cref="SimulatedJob.LabelSet"/> indexes into.</summary>
    public required IReadOnlyList<IReadOnlyList<string>> LabelSets { get; init; }

    /// <summary>Name of the fleet's forge the jobs come from.</summary>
    public string Forge { get; init; } = "github";

    /// <summary>Repository (GitHub) or project (GitLab) every job belongs to, unless <see cref="LabelSetScopes"/> says otherwise.</summary>
    public string JobScope { get; init; } = "acme/app";

    /// <summary>
    /// The repository or project of the jobs of each label set, parallel to <see cref="LabelSets"/> (null: a job that
    /// does not say where it comes from); empty when every job belongs to <see cref="JobScope"/>.
    /// </summary>
    public IReadOnlyList<string?> LabelSetScopes { get; init; } = [];

    /// <summary>
    /// What the ref of the jobs of each label set was (<see cref="LabelSets"/> order), from the trace; empty when no job's
    /// is known. Jobs without one are the lowest priority class.
    /// </summary>
    public IReadOnlyList<JobRefKind?> LabelSetRefKinds { get; init; } = [];

    /// <summary>The ref kind of the jobs of label set <paramref name="labelSet"/>; null when the trace does not say.</summary>
    public JobRefKind? RefKindOf(int labelSet) => LabelSetRefKinds.Count == 0 ? null : LabelSetRefKinds[labelSet];

    /// <summary>The repository or project the jobs of label set <paramref name="labelSet"/> come from.</summary>
    public string? ScopeOf(int labelSet) => LabelSetScopes.Count == 0 ? JobScope : LabelSetScopes[labelSet];

    /// <summary>Every problem with the scenario, one message each (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Fleet.FindForge(Forge) is null)
        {
            errors.Add($"the fleet has no forge named '{Forge}'");
        }

        if (LabelSetScopes.Count != 0 && LabelSetScopes.Count != LabelSets.Count)
        {
            errors.Add($"{LabelSetScopes.Count} label set scopes for {LabelSets.Count} label sets");
        }

        if (LabelSetRefKinds.Count != 0 && LabelSetRefKinds.Count != LabelSets.Count)
        {
            errors.Add($"{LabelSetRefKinds.Count} label set ref kinds for {LabelSets.Count} label sets");
        }

        for (var i = 0; i < Jobs.Count; i++)
        {
            var job = Jobs[i];
            if (!double.IsFinite(job.ArrivalSeconds) || job.ArrivalSeconds < 0 || !double.IsFinite(job.DurationSeconds) || job.DurationSeconds < 0)
            {
                errors.Add($"job {i}: arrival and duration must be finite and at least 0");
            }

            if (job.LabelSet < 0 || job.LabelSet >= LabelSets.Count)
            {
                errors.Add($"job {i}: label set {job.LabelSet} is not in the table of {LabelSets.Count}");
            }

            if (errors.Count >= 20)
            {
                errors.Add("further problems not listed");
                break;
            }
        }

        return errors;
    }
}
