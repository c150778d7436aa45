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

    /// <summary>
    /// Time between the forge adapter's polls of waiting and running jobs (which find what webhooks missed); null: the
    /// adapter's default (GitHub 60 s, GitLab 30 s). Between <see cref="MinPollInterval"/> and <see cref="MaxPollInterval"/>.
    /// </summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>The shortest poll interval accepted: shorter spends API budget for nothing webhooks do not give faster.</summary>
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromSeconds(5);

    /// <summary>The longest poll interval accepted: longer leaves a job whose webhook was lost waiting too long.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(30);
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
