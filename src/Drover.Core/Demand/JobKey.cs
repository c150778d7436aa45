namespace Drover.Core.Demand;

/// <summary>Identifies a job across forges: the forge's configured name plus the forge's job id.</summary>
public readonly record struct JobKey(string Forge, string Id)
{
    public override string ToString() => $"{Forge}/{Id}";

    /// <summary>
    /// The job id's hash alone: ids rarely repeat across forges, and a key is hashed for every ledger look-up, so the
    /// forge's name (the same for nearly every key) is not hashed each time. Equality still compares both.
    /// </summary>
    public override int GetHashCode() => Id?.GetHashCode(StringComparison.Ordinal) ?? 0;
}
