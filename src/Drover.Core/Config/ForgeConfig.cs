namespace Drover.Core.Config;

/// <summary>A GitHub or GitLab instance Drover takes demand from and registers runners with.</summary>
public sealed record ForgeConfig
{
    public required string Name { get; init; }

    public required ForgeKind Kind { get; init; }

    /// <summary>API base URL, e.g. https://api.github.com, https://ghe.example.com/api/v3, https://gitlab.com.</summary>
    public required Uri Url { get; init; }

    public ForgeAuth Auth { get; init; } = new();

    /// <summary>Secret used to verify webhooks (GitHub HMAC key, GitLab X-Gitlab-Token).</summary>
    public SecretRef? WebhookSecret { get; init; }
}

/// <summary>Forge credentials, always by reference.</summary>
public sealed record ForgeAuth
{
    /// <summary>Personal access token (GitHub PAT, GitLab PAT with create_runner).</summary>
    public SecretRef? Token { get; init; }

    /// <summary>GitHub App id (with <see cref="InstallationId"/> and <see cref="PrivateKey"/>).</summary>
    public long? AppId { get; init; }

    public long? InstallationId { get; init; }

    /// <summary>GitHub App private key (PEM).</summary>
    public SecretRef? PrivateKey { get; init; }
}
