using System.Text.Json.Serialization;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>One step of a plan. <see cref="Reason"/> says, in words, why the planner wants it.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "action")]
[JsonDerivedType(typeof(CreateRunner), "create")]
[JsonDerivedType(typeof(DeleteRunner), "delete")]
[JsonDerivedType(typeof(UnregisterForgeRunner), "unregister")]
[JsonDerivedType(typeof(DeleteInstance), "delete-instance")]
public abstract record PlanAction(string Reason);

/// <summary>Create one runner. The executor records the intent under <see cref="IdempotencyKey"/> before calling the provider.</summary>
public sealed record CreateRunner(string Pool, string Provider, string IdempotencyKey, long Ordinal, int Attempt, string Reason)
    : PlanAction(Reason)
{
    /// <summary>The runner record this create starts: Requested at <paramref name="now"/>, named by its idempotency key.</summary>
    public Runner ToRequestedRunner(DateTimeOffset now) => new()
    {
        Id = IdempotencyKey,
        Pool = Pool,
        Provider = Provider,
        IdempotencyKey = IdempotencyKey,
        Ordinal = Ordinal,
        State = RunnerState.Requested,
        StateSince = now,
        CreatedAt = now,
        Attempt = Attempt,
    };
}

/// <summary>Why a runner is deleted.</summary>
public enum DeleteCause
{
    /// <summary>More runners than desired; an idle one past <c>idleTimeout</c> goes, oldest first.</summary>
    ScaleDown,

    /// <summary>Older than <c>maxLifetime</c>.</summary>
    MaxLifetime,

    /// <summary>Failed; cleaned up (a replacement follows if still needed).</summary>
    Failed,

    /// <summary>Stuck past its state's timeout.</summary>
    Stuck,

    /// <summary>Booting past its state's timeout: it never became a working runner (counts against its provider's breaker).</summary>
    BootTimeout,

    /// <summary>Pool removed from config or drained.</summary>
    PoolRemoved,

    /// <summary>Idle or booting on a host-bound provider when Drover shut down gracefully (not planned; the shutdown drain).</summary>
    Shutdown,

    /// <summary>
    /// Idle on a provider at its capacity (<c>maxRunners</c>), of a team above its fair share while another is below
    /// its own: lent capacity taken back.
    /// </summary>
    Reclaimed,
}

/// <summary>Delete a runner: its instance at the provider and its forge registration.</summary>
public sealed record DeleteRunner(string RunnerId, string Pool, DeleteCause Cause, string Reason) : PlanAction(Reason);

/// <summary>Unregister a forge runner that has no instance behind it.</summary>
public sealed record UnregisterForgeRunner(string Forge, string ForgeRunnerId, string Name, string Reason) : PlanAction(Reason);

/// <summary>Delete a provider instance that no runner record owns.</summary>
public sealed record DeleteInstance(string Provider, string InstanceId, string Reason) : PlanAction(Reason);
