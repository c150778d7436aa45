namespace Drover.Core.Policies;

/// <summary>The pool's min/idle/max in force now, after schedule periods; <see cref="Schedule"/> names the period that set them.</summary>
public sealed record PoolLimits(int Min, int Idle, int Max, string? Schedule);
