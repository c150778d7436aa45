namespace Drover.Core.Policies;

/// <summary>A policy's answer: the desired runner count (before clamping) and why, in words for the plan.</summary>
public sealed record PolicyDecision(int Desired, string Reason);
