namespace Drover.Chaos.Tests;

/// <summary>
/// The provider-specific part of a chaos run: how the fleet names the provider, what a runner instance is and where it
/// is found (a process in /proc, a pod in the cluster), what else a runner leaves behind (a pod's secret), how an
/// instance is lost under its job (a spot interruption) and which faults the provider's API got. Everything is read
/// from the world (/proc, the emulators), never from Drover's own account.
/// </summary>
internal interface IChaosProvider : IAsyncDisposable
{
    /// <summary>The fleet's provider entry (a list item under <c>providers:</c>), named <see cref="Name"/>.</summary>
    string ProviderYaml { get; }

    /// <summary>The provider's name in the fleet.</summary>
    string Name { get; }

    /// <summary>What one runner instance is called in the report (e.g. "runner process", "pod").</summary>
    string Noun { get; }

    /// <summary>The plural of <see cref="Noun"/> (e.g. "runner processes", "pods").</summary>
    string Nouns { get; }

    /// <summary>Runner instances running now, one per runner (for the burst's phase and the counts after each stop).</summary>
    int Running();

    /// <summary>Every runner instance that exists now, with the runners it belongs to.</summary>
    IReadOnlyList<ChaosInstance> Instances();

    /// <summary>What else runners left in the world besides their instances (e.g. a pod's credential secret).</summary>
    IReadOnlyList<string> LeftObjects();

    /// <summary>Each time two instances of one idempotency key existed at once.</summary>
    IReadOnlyList<string> Duplicates();

    /// <summary>
    /// A spot interruption: the instance of <paramref name="runner"/>, whose job runs, is lost under it as the
    /// infrastructure would take it; returns what was done, or null when the runner has no instance to take.
    /// </summary>
    string? Interrupt(string runner);

    /// <summary>The provider's API faults stop (the grace window begins).</summary>
    void StopFaults();

    /// <summary>Faults injected into the provider's API so far, by kind; empty for a provider without an API.</summary>
    IReadOnlyDictionary<string, int> FaultsInjected { get; }

    /// <summary>Calls the provider's API answered so far (0 without an API).</summary>
    int ApiCalls { get; }

    /// <summary>The provider API's calls so far, one line each (kept with the run's logs); empty without an API.</summary>
    IReadOnlyList<string> ApiRequests();
}

/// <summary>One runner instance in the world: what it is, after its noun (e.g. <c>pid 123</c>, a pod's <c>r-1 (Running)</c>) and the runners it belongs to.</summary>
internal sealed record ChaosInstance(string What, IReadOnlyList<string> Runners);
