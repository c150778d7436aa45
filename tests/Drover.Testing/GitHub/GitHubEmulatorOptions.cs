using System.Security.Cryptography;

namespace Drover.Testing.GitHub;

/// <summary>How an emulator starts.</summary>
public sealed record GitHubEmulatorOptions
{
    /// <summary><c>""</c> for github.com's layout, <c>/api/v3</c> for GitHub Enterprise Server's.</summary>
    public string PathPrefix { get; init; } = string.Empty;

    /// <summary>Personal access tokens the API accepts.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    /// <summary>The GitHub App whose JWTs the token endpoint accepts (its public key), if any.</summary>
    public RSA? AppKey { get; init; }

    public long AppId { get; init; } = 4242;

    public long InstallationId { get; init; } = 77;

    /// <summary>Lifetime of installation tokens.</summary>
    public TimeSpan InstallationTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Core rate limit per window.</summary>
    public int RateLimit { get; init; } = 5000;

    /// <summary>Largest page the lists return (GitHub: 100).</summary>
    public int MaxPerPage { get; init; } = 100;

    /// <summary>Timestamps and the rate-limit window.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Seeds the webhook drop/duplicate choices.</summary>
    public int Seed { get; init; } = 1;
}
