namespace Drover.Core.Traces;

/// <summary>
/// A CI load trace: jobs sorted by queue time (ties keep their input order), where they came from,
/// and notes on every liberty taken while turning the source into jobs.
/// </summary>
public sealed class Trace
{
    private readonly TraceJob[] _jobs;

    /// <summary>Builds a trace; the jobs are copied and sorted by queue time, stably.</summary>
    public Trace(string name, string source, IEnumerable<TraceJob> jobs, IEnumerable<string>? notes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(jobs);
        Name = name;
        Source = source;
        _jobs = [.. jobs];
        SortStably(_jobs);
        Notes = [.. notes ?? []];

        var distinct = new HashSet<LabelSet>();
        var labelSets = new List<LabelSet>();
        LabelSet? previous = null;
        foreach (ref readonly var job in _jobs.AsSpan())
        {
            if (!ReferenceEquals(job.Labels, previous) && distinct.Add(job.Labels))
            {
                labelSets.Add(job.Labels);
            }

            previous = job.Labels;
        }

        labelSets.Sort((a, b) => string.CompareOrdinal(a.Text, b.Text));
        LabelSets = labelSets;
    }

    /// <summary>Short name, e.g. <c>conda-forge-github-actions-2024</c>.</summary>
    public string Name { get; }

    /// <summary>Where the jobs came from: a file, a generator and its settings.</summary>
    public string Source { get; }

    /// <summary>How the source was turned into jobs: what is synthetic, what was assumed, gaps in the data.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The jobs, sorted by queue time.</summary>
    public IReadOnlyList<TraceJob> Jobs => _jobs;

    /// <summary>The jobs, sorted by queue time, without an interface call per job.</summary>
    public ReadOnlySpan<TraceJob> JobSpan => _jobs;

    public int Count => _jobs.Length;

    /// <summary>Distinct label sets of the jobs, ordered by their text.</summary>
    public IReadOnlyList<LabelSet> LabelSets { get; }

    /// <summary>Queue time of the first job; null for an empty trace.</summary>
    public DateTimeOffset? Start => _jobs.Length == 0 ? null : _jobs[0].QueuedAt;

    /// <summary>Queue time of the last job; null for an empty trace.</summary>
    public DateTimeOffset? End => _jobs.Length == 0 ? null : _jobs[^1].QueuedAt;

    /// <summary>Time from the first to the last queued job.</summary>
    public TimeSpan Span => _jobs.Length == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_jobs[^1].QueuedAtUnixMs - _jobs[0].QueuedAtUnixMs);

    /// <summary>Sum of all job durations, in seconds.</summary>
    public double TotalDurationSeconds
    {
        get
        {
            double total = 0;
            foreach (ref readonly var job in _jobs.AsSpan())
            {
                total += job.DurationSeconds;
            }

            return total;
        }
    }

    /// <summary>One line: name, job count, span, label sets.</summary>
    public string Summary()
    {
        if (_jobs.Length == 0)
        {
            return $"{Name}: 0 jobs";
        }

        var first = _jobs[0].QueuedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var last = _jobs[^1].QueuedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{Name}: {_jobs.Length:N0} jobs from {first} to {last} ({(Span.TotalDays >= 2 ? $"{Span.TotalDays:0.##} days" : $"{Span.TotalHours:0.##} hours")}), {LabelSets.Count} label set(s), {TotalDurationSeconds / 3600:N1} runner-hours of work");
    }

    private static void SortStably(TraceJob[] jobs)
    {
        var sorted = true;
        for (var i = 1; i < jobs.Length && sorted; i++)
        {
            sorted = jobs[i - 1].QueuedAtUnixMs <= jobs[i].QueuedAtUnixMs;
        }

        if (sorted)
        {
            return;
        }

        var keys = new (long QueuedAt, int Index)[jobs.Length];
        for (var i = 0; i < jobs.Length; i++)
        {
            keys[i] = (jobs[i].QueuedAtUnixMs, i);
        }

        Array.Sort(keys, jobs);
    }
}
