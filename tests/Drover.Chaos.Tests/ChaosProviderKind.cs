namespace Drover.Chaos.Tests;

/// <summary>The provider a chaos run's fleet starts its runners on (<see cref="ChaosOptions.Provider"/>).</summary>
internal enum ChaosProviderKind
{
    /// <summary>The <c>process</c> provider: each runner a stand-in runner process on this host, found in /proc.</summary>
    Process,

    /// <summary>
    /// The <c>kubernetes</c> provider against the in-process Kubernetes emulator, with seeded API faults; each pod's runner
    /// is the stand-in runner run in-process by the emulator's kubelet.
    /// </summary>
    Kubernetes,
}
