using Drover.Core.Planning;

namespace Drover.Providers.Ec2;

/// <summary>
/// What an instance's state means for its runner (docs/providers/ec2.md, "Failure reasons"). Pure.
/// </summary>
internal static class InstanceStates
{
    /// <summary>The state reason of a spot interruption.</summary>
    public const string SpotInterruption = "Server.SpotInstanceTermination";

    /// <summary>
    /// How <paramref name="instance"/> is reported: not at all (<c>Listed</c> false: it ended as it should, its runner
    /// exited and the OS shut down, or Drover terminated it), as a live instance (no failure), or as a failure with its
    /// reason and kind.
    /// </summary>
    public static (bool Listed, string? Failure, InstanceFailureKind Kind) Classify(Ec2Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var code = instance.StateReasonCode;
        var said = string.IsNullOrEmpty(instance.StateReasonMessage) ? code : instance.StateReasonMessage;
        switch (instance.State)
        {
            case "pending" or "running":
                return (true, null, InstanceFailureKind.Unusable);
            case "shutting-down" or "terminated":
                return code switch
                {
                    // The runner exited and the user data shut the instance down (one job per instance): done.
                    "Client.InstanceInitiatedShutdown" => (false, null, InstanceFailureKind.Unusable),

                    // Terminated through the API: by Drover's delete, or by someone else; either way the instance is gone.
                    "Client.UserInitiatedShutdown" => (false, null, InstanceFailureKind.Unusable),
                    SpotInterruption => (true, $"spot instance interrupted by EC2 ({said})", InstanceFailureKind.Lost),
                    "Server.InsufficientInstanceCapacity" => (true, $"EC2 had no capacity to start the instance ({said})", InstanceFailureKind.Unusable),
                    "Server.InternalError" => (true, $"EC2 ended the instance with an internal error ({said})", InstanceFailureKind.Lost),
                    "Server.ScheduledStop" => (true, $"EC2 retired the instance's host ({said})", InstanceFailureKind.Lost),
                    "Client.VolumeLimitExceeded" => (true, $"the instance's volume could not be made: EBS volume limit reached ({said})", InstanceFailureKind.Unusable),
                    "Client.InternalError" => (true, $"the instance could not start; check its volumes, KMS key and image ({said})", InstanceFailureKind.Unusable),
                    "Client.InvalidSnapshot.NotFound" => (true, $"the image's snapshot is gone ({said})", InstanceFailureKind.Unusable),
                    null or "" => (true, "the instance was terminated with no reason given", InstanceFailureKind.Lost),
                    _ => (true, $"the instance was terminated ({said})", code.StartsWith("Server.", StringComparison.Ordinal) ? InstanceFailureKind.Lost : InstanceFailureKind.Unusable),
                };
            case "stopping" or "stopped":
                return (true, $"the instance stopped ({said ?? "no reason given"}); a runner instance never stops, it terminates", InstanceFailureKind.Unusable);
            default:
                return (true, $"the instance is in state {instance.State}", InstanceFailureKind.Unusable);
        }
    }
}
