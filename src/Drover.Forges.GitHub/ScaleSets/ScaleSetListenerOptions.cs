namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>How the scale-set listeners of a forge behave.</summary>
/// <param name="Owner">The session owner name GitHub shows (this replica).</param>
/// <param name="ConflictRetry">The wait before asking again for a session another holder has.</param>
/// <param name="PollTimeout">How long a long poll may take before it is given up (longer than GitHub's ~50 s window).</param>
/// <param name="Random">The backoff's jitter source.</param>
internal sealed record ScaleSetListenerOptions(string Owner, TimeSpan ConflictRetry, TimeSpan PollTimeout, Random Random);
