namespace Drover.Forges.GitHub.Auth;

/// <summary>How the REST client authenticates: a personal access token, or a GitHub App installation token.</summary>
public interface IGitHubAuth
{
    /// <summary>A short description safe to log (<c>token</c>, <c>app 123 installation 456</c>).</summary>
    string Describe { get; }

    /// <summary>The <c>Authorization</c> header value for the next call. Never log it.</summary>
    Task<string> AuthorizationAsync(CancellationToken cancellationToken);

    /// <summary>GitHub refused the credential (401): forget any cached token so the next call gets a fresh one.</summary>
    void Invalidate();
}
