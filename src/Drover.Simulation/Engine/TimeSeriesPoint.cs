namespace Drover.Simulation.Engine;

/// <summary>One bin of a run's time series, for charts.</summary>
/// <param name="StartSeconds">Start of the bin, seconds after the scenario start.</param>
/// <param name="Arrivals">Jobs that arrived in the bin (re-queued attempts excluded).</param>
/// <param name="Started">Jobs that started in the bin.</param>
/// <param name="P95WaitSeconds">95th percentile queue wait of the jobs that started in the bin; 0 when none did.</param>
/// <param name="MeanRunners">Time-weighted mean of billed runners (booting, idle or busy).</param>
/// <param name="PeakRunners">Most billed runners at once.</param>
/// <param name="MeanIdleRunners">Time-weighted mean of idle runners.</param>
public sealed record TimeSeriesPoint(double StartSeconds, int Arrivals, int Started, double P95WaitSeconds, double MeanRunners, int PeakRunners, double MeanIdleRunners);
