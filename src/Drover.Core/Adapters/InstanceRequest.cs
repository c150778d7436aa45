using Drover.Core.Config;

namespace Drover.Core.Adapters;

/// <summary>
/// What a provider needs to start one runner instance. The runner's credential is passed by reference
/// (<see cref="CredentialRef"/>, resolved through a <see cref="Execution.RunnerCredentialVault"/>), never by value.
/// </summary>
/// <param name="Pool">The pool the runner belongs to.</param>
/// <param name="IdempotencyKey">Stable key of this create; also the runner's name at the forge.</param>
/// <param name="Template">The pool's instance template.</param>
/// <param name="CredentialRef">Reference to the runner's registration credential.</param>
public sealed record InstanceRequest(string Pool, string IdempotencyKey, InstanceTemplate Template, string CredentialRef);
