namespace Drover.Core.Demand;

/// <summary>Identifies a job across forges: the forge's configured name plus the forge's job id.</summary>
public readonly record struct JobKey(string Forge, string Id)
{
    public override string ToString() => $"{Forge}/{Id}";
}
