using System.Globalization;
using System.Net;
using Drover.Testing.Fuzz;

namespace Drover.Chaos.Tests.Fuzz;

/// <summary>
/// What one HTTP fuzz run saw, recorded by the requests in flight as their answers come: how many answers had each
/// status, and the inputs mishandled (in index order when read, the first 10,000 kept).
/// </summary>
internal sealed class FuzzRun(int inputs)
{
    private const int MaxKept = 10_000;
    private readonly Lock _lock = new();
    private readonly List<FuzzFailure> _failures = [];
    private readonly int[] _statuses = new int[600];
    private int _failed;

    /// <summary>The number of inputs made.</summary>
    public int Inputs { get; } = inputs;

    /// <summary>The inputs mishandled, by index.</summary>
    public IReadOnlyList<FuzzFailure> Failures
    {
        get
        {
            lock (_lock)
            {
                return [.. _failures.OrderBy(f => f.Index)];
            }
        }
    }

    /// <summary>How many answers had each status, e.g. <c>202: 510, 400: 990</c>.</summary>
    public string Statuses
    {
        get
        {
            var counts = Enumerable.Range(0, _statuses.Length).Select(s => (Status: s, Count: Volatile.Read(ref _statuses[s]))).Where(s => s.Count > 0);
            var text = string.Join(", ", counts.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Status}: {s.Count}")));
            var failed = Volatile.Read(ref _failed);
            return failed == 0 ? "answers " + text : $"answers {text}; {failed} mishandled";
        }
    }

    /// <summary>How many answers had <paramref name="status"/>.</summary>
    public int Answered(HttpStatusCode status) => Volatile.Read(ref _statuses[(int)status]);

    /// <summary>Counts an answer.</summary>
    public void Count(int status) => Interlocked.Increment(ref _statuses[Math.Clamp(status, 0, _statuses.Length - 1)]);

    /// <summary>Records a mishandled input.</summary>
    public void Fail(FuzzFailure failure)
    {
        Interlocked.Increment(ref _failed);
        lock (_lock)
        {
            if (_failures.Count < MaxKept)
            {
                _failures.Add(failure);
            }
        }
    }
}
