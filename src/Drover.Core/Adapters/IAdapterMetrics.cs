namespace Drover.Core.Adapters;

/// <summary>The instruments an adapter may feed with its own readings (the engine exports them).</summary>
public interface IAdapterMetrics
{
    /// <summary>
    /// Makes the forge's rate-limit gauge read <paramref name="remaining"/> (null: not known yet, no sample).
    /// A forge registered again replaces its reader.
    /// </summary>
    void ObserveForgeRateLimit(string forge, Func<long?> remaining);

    /// <summary>
    /// Makes the <c>drover_scaleset_*</c> gauges of <paramref name="scaleSet"/> read <paramref name="reading"/> (null: no
    /// sample, e.g. while this replica follows). Instruments that export no scale-set gauges ignore it.
    /// </summary>
    void ObserveScaleSet(string forge, string scaleSet, Func<ScaleSetReading?> reading)
    {
    }

    /// <summary>Counts one job record in a forge's poll answer that could not be read and was skipped.</summary>
    void PollRecordSkipped(string forge);
}
