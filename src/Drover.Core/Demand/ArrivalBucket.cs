namespace Drover.Core.Demand;

/// <summary>
/// Arrivals of one pool in one stored bucket of <see cref="ArrivalHistory"/>: a second (<see cref="Width"/> 1 s, one
/// instant however many jobs) within the last hour of the pool's arrivals, or an hour (3600 s) once older.
/// </summary>
/// <param name="Pool">The pool the jobs arrived for.</param>
/// <param name="Start">Start of the bucket (whole second, or whole hour for hourly buckets).</param>
/// <param name="Width">Length of the bucket: one second or one hour.</param>
/// <param name="Jobs">Jobs that arrived in it.</param>
/// <param name="Instants">Distinct seconds with at least one arrival in it (1 for a second bucket).</param>
public sealed record ArrivalBucket(string Pool, DateTimeOffset Start, TimeSpan Width, int Jobs, int Instants);

/// <summary>What the store holds of the arrival history: the buckets, oldest first, and each pool's first arrival.</summary>
/// <param name="FirstArrivals">The first arrival ever recorded per pool.</param>
/// <param name="Buckets">Hourly and per-second buckets, by start (hourly before per-second at the same start).</param>
public sealed record StoredArrivals(IReadOnlyDictionary<string, DateTimeOffset> FirstArrivals, IReadOnlyList<ArrivalBucket> Buckets);
