using Drover.Core.Runners;

namespace Drover.Engine.Loop;

/// <summary>The control loop's own view of the live runners (see <see cref="RunnerCache"/>).</summary>
/// <param name="Runners">Every runner not Gone, by id.</param>
/// <param name="LoadedAt">When they were last read from the store in full.</param>
internal sealed record RunnerView(IReadOnlyList<Runner> Runners, DateTimeOffset LoadedAt);
