namespace Drover.Core.Resilience;

public enum BreakerStatus
{
    Closed,
    Open,
    HalfOpen,
}
