namespace Drover.Simulation.Engine;

/// <summary>
/// Accumulates a run's figures as virtual time advances: runner time by bucket (integrated from the counts of booting,
/// idle and busy runners), spot time, waits, counters and the per-bin time series.
/// </summary>
internal sealed class MetricsRecorder
{
    private readonly long _binTicks;
    private readonly double[] _waits;
    private readonly List<TimeSeriesPoint> _series = [];
    private readonly List<double> _binWaits = [];
    private long _lastTicks;
    private long _binStart;
    private int _booting;
    private int _idle;
    private int _busy;
    private int _spot;
    private double _binRunnerTicks;
    private double _binIdleTicks;
    private int _binPeak;
    private int _binArrivals;
    private int _binStarted;

    public MetricsRecorder(int jobs, long binTicks)
    {
        _binTicks = binTicks;
        _waits = new double[jobs];
        Array.Fill(_waits, double.NaN);
    }

    public double BootingSeconds { get; private set; }

    public double IdleSeconds { get; private set; }

    public double BusySeconds { get; private set; }

    public double SpotSeconds { get; private set; }

    public int PeakRunners { get; private set; }

    public int SpotInterruptions { get; set; }

    public int JobsRequeued { get; set; }

    public int RunnersCreated { get; set; }

    public int CreationFailures { get; set; }

    public int JobsCompleted { get; set; }

    public int Active => _booting + _idle + _busy;

    public IReadOnlyList<TimeSeriesPoint> Series => _series;

    /// <summary>Integrates the current counts up to <paramref name="now"/>, closing bins on the way.</summary>
    public void Advance(long now)
    {
        while (now >= _binStart + _binTicks)
        {
            var binEnd = _binStart + _binTicks;
            Integrate(binEnd);
            CloseBin();
        }

        Integrate(now);
    }

    public void RunnerMoved(long now, RunnerBucket from, RunnerBucket to, bool spot)
    {
        if (from == to)
        {
            return;
        }

        Advance(now);
        Count(from, -1, spot);
        Count(to, +1, spot);
        var active = Active;
        PeakRunners = Math.Max(PeakRunners, active);
        _binPeak = Math.Max(_binPeak, active);
    }

    public void Arrival(long now)
    {
        Advance(now);
        _binArrivals++;
    }

    /// <summary>A job (attempt) started; the job's wait is the one of the attempt that started last.</summary>
    public void Started(long now, int job, double waitSeconds)
    {
        Advance(now);
        _waits[job] = waitSeconds;
        _binStarted++;
        _binWaits.Add(waitSeconds);
    }

    /// <summary>The wait of <paramref name="job"/>'s last started attempt, seconds; NaN when it never started.</summary>
    public double WaitOf(int job) => _waits[job];

    /// <summary>Closes the open bin and returns the waits of every job that started, sorted.</summary>
    public double[] Finish(long now)
    {
        Advance(now);
        if (now > _binStart || _binArrivals > 0 || _binStarted > 0)
        {
            CloseBin();
        }

        var waits = _waits.Where(w => !double.IsNaN(w)).ToArray();
        Array.Sort(waits);
        return waits;
    }

    private void Count(RunnerBucket bucket, int delta, bool spot)
    {
        switch (bucket)
        {
            case RunnerBucket.Booting:
                _booting += delta;
                break;
            case RunnerBucket.Idle:
                _idle += delta;
                break;
            case RunnerBucket.Busy:
                _busy += delta;
                break;
            default:
                return;
        }

        if (spot)
        {
            _spot += delta;
        }
    }

    private void Integrate(long now)
    {
        if (now <= _lastTicks)
        {
            return;
        }

        double dt = now - _lastTicks;
        var seconds = dt / TimeSpan.TicksPerSecond;
        BootingSeconds += _booting * seconds;
        IdleSeconds += _idle * seconds;
        BusySeconds += _busy * seconds;
        SpotSeconds += _spot * seconds;
        _binRunnerTicks += Active * dt;
        _binIdleTicks += _idle * dt;
        _lastTicks = now;
    }

    private void CloseBin()
    {
        _binWaits.Sort();
        var width = (double)_binTicks;
        _series.Add(new TimeSeriesPoint(
            (double)_binStart / TimeSpan.TicksPerSecond,
            _binArrivals,
            _binStarted,
            Percentiles.OfSorted(_binWaits, 0.95),
            _binRunnerTicks / width,
            Math.Max(_binPeak, Active),
            _binIdleTicks / width));
        _binStart += _binTicks;
        _binWaits.Clear();
        _binRunnerTicks = 0;
        _binIdleTicks = 0;
        _binPeak = Active;
        _binArrivals = 0;
        _binStarted = 0;
    }
}
