using Drover.Core.Planning;

namespace Drover.Engine.Loop;

/// <summary>The forges' runner lists as of <paramref name="At"/>, as <see cref="WorldObserver"/> keeps them.</summary>
/// <param name="At">When the listing started: a runner whose state changed after this may be missing from it.</param>
/// <param name="Lists">Registrations per forge that answered.</param>
internal sealed record ForgeListing(DateTimeOffset At, IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>> Lists);
