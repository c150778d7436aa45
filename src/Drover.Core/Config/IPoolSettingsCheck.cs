namespace Drover.Core.Config;

/// <summary>
/// A module's per-pool settings (a pool's forge section, <see cref="PoolConfig.ForgeSettings"/>) that hold only together
/// with the rest of the pool, or with the other pools: checked by <c>drover validate</c> and at every load, each problem
/// reported at its field's position; and what of them only a restart can change.
/// </summary>
public interface IPoolSettingsCheck
{
    /// <summary>
    /// The problems of <paramref name="pool"/> with these settings, each as the field it concerns (a path relative to
    /// the pool, such as <c>ephemeral</c> or <c>github.scaleSet.name</c>) and what is wrong; <paramref name="pools"/> are
    /// every pool of the fleet, in file order.
    /// </summary>
    IEnumerable<(string Field, string Message)> Check(PoolConfig pool, IReadOnlyList<PoolConfig> pools);

    /// <summary>
    /// What of these settings is bound when <c>drover serve</c> starts (a listener, a session), described for people, or
    /// null when nothing is: a reload that adds, removes or changes it is refused, like a provider's or forge's change.
    /// </summary>
    string? StartBound => null;
}
