namespace Drover.Core.Resilience;

public sealed record CircuitBreakerOptions
{
    public int FailureThreshold { get; init; } = 5;

    public TimeSpan CoolDown { get; init; } = TimeSpan.FromSeconds(60);

    public int SuccessesToClose { get; init; } = 2;

    public static CircuitBreakerOptions Default { get; } = new();
}
