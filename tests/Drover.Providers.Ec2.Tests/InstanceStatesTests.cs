using Drover.Core.Planning;

namespace Drover.Providers.Ec2.Tests;

/// <summary>What an instance's state and state reason mean for its runner.</summary>
public sealed class InstanceStatesTests
{
    [Theory]
    [InlineData("pending", null, true, null, InstanceFailureKind.Unusable)]
    [InlineData("running", null, true, null, InstanceFailureKind.Unusable)]
    [InlineData("terminated", "Client.InstanceInitiatedShutdown", false, null, InstanceFailureKind.Unusable)]
    [InlineData("shutting-down", "Client.InstanceInitiatedShutdown", false, null, InstanceFailureKind.Unusable)]
    [InlineData("terminated", "Client.UserInitiatedShutdown", false, null, InstanceFailureKind.Unusable)]
    [InlineData("terminated", "Server.SpotInstanceTermination", true, "spot instance interrupted by EC2", InstanceFailureKind.Lost)]
    [InlineData("shutting-down", "Server.SpotInstanceTermination", true, "spot instance interrupted by EC2", InstanceFailureKind.Lost)]
    [InlineData("terminated", "Server.InternalError", true, "internal error", InstanceFailureKind.Lost)]
    [InlineData("terminated", "Server.ScheduledStop", true, "retired the instance's host", InstanceFailureKind.Lost)]
    [InlineData("terminated", "Server.SomethingNew", true, "the instance was terminated", InstanceFailureKind.Lost)]
    [InlineData("terminated", "Server.InsufficientInstanceCapacity", true, "no capacity to start", InstanceFailureKind.Unusable)]
    [InlineData("terminated", "Client.VolumeLimitExceeded", true, "EBS volume limit", InstanceFailureKind.Unusable)]
    [InlineData("terminated", "Client.InternalError", true, "KMS key", InstanceFailureKind.Unusable)]
    [InlineData("terminated", null, true, "no reason given", InstanceFailureKind.Lost)]
    [InlineData("stopped", "Client.UserInitiatedShutdown", true, "never stops", InstanceFailureKind.Unusable)]
    public void Classify_StateAndReason_GiveListingAndFailure(string state, string? code, bool listed, string? failure, InstanceFailureKind kind)
    {
        var instance = new Ec2Instance("i-1", state, DateTimeOffset.UnixEpoch) { StateReasonCode = code, StateReasonMessage = code is null ? null : code + ": said by EC2" };

        var (show, reason, failureKind) = InstanceStates.Classify(instance);

        Assert.Equal(listed, show);
        if (failure is null)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.Contains(failure, reason, StringComparison.Ordinal);
            Assert.Equal(kind, failureKind);
        }
    }
}
