namespace Drover.Providers.Kubernetes.Tests.Fakes;

/// <summary>A jitter source that always draws <paramref name="value"/>, so backoff waits can be asserted exactly.</summary>
internal sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;

    protected override double Sample() => value;
}
