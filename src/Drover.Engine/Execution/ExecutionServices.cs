using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Engine.Metrics;
using Microsoft.Extensions.Logging;

namespace Drover.Engine.Execution;

/// <summary>What the executor's steps share: the store, the adapters, the call pipeline, the clock, logs and metrics.</summary>
internal sealed record ExecutionServices
{
    /// <summary>The state store every outcome is written to.</summary>
    public required IStateStore Store { get; init; }

    /// <summary>Providers and forges by name.</summary>
    public required EngineAdapters Adapters { get; init; }

    /// <summary>Where minted credentials wait for their provider.</summary>
    public required RunnerCredentialVault Vault { get; init; }

    /// <summary>The call policy every provider and forge call goes through.</summary>
    public required CallPolicy Calls { get; init; }

    /// <summary>The clock.</summary>
    public required TimeProvider Time { get; init; }

    /// <summary>The engine's logger.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The engine's instruments.</summary>
    public required EngineMetrics Metrics { get; init; }

    /// <summary>Breaker thresholds: the loop's one instance, shared with its planner, snapshot and metrics.</summary>
    public CircuitBreakerOptions BreakerOptions { get; init; } = CircuitBreakerOptions.Default;

    /// <summary>Lifecycle transitions with rejection logging.</summary>
    public RunnerTransitions Transitions => new(Logger);
}
