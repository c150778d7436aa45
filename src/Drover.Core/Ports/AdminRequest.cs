namespace Drover.Core.Ports;

/// <summary>
/// An operator's request kept in the store until the control loop has acted on it (a runner deletion) or it is
/// withdrawn (a drain, until the pool is resumed). Any replica accepts one; the leader carries it out, so a
/// request survives restarts and leader changes.
/// </summary>
/// <param name="Kind">What is asked.</param>
/// <param name="Target">The pool name (drain) or the runner id (deletion).</param>
/// <param name="Actor">Who asked, e.g. <c>api:alice</c>.</param>
/// <param name="RequestedAt">When.</param>
/// <param name="Reason">The caller's reason, or a default text.</param>
public sealed record AdminRequest(AdminRequestKind Kind, string Target, string Actor, DateTimeOffset RequestedAt, string Reason);
