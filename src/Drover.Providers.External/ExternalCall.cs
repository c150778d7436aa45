namespace Drover.Providers.External;

/// <summary>What one run of a provider executable gave: its exit code and what it wrote (bounded).</summary>
/// <param name="Command">The <c>GARM_COMMAND</c> it ran.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Stdout">What it wrote on stdout (up to <see cref="ExternalExecutable.MaxStdout"/> characters).</param>
/// <param name="Stderr">The end of what it wrote on stderr (the last <see cref="ExternalExecutable.MaxStderr"/> characters).</param>
internal sealed record ExternalCall(string Command, int ExitCode, string Stdout, string Stderr);
