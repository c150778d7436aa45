using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Forges.GitHub.Auth;

/// <summary>A personal access token (classic or fine-grained), resolved from its reference on every call so a rotated file is picked up.</summary>
public sealed class TokenAuth : IGitHubAuth
{
    private readonly SecretRef _token;
    private readonly SecretResolver _secrets;
    private readonly string _what;

    /// <param name="token">Where the token lives.</param>
    /// <param name="secrets">Resolves it.</param>
    /// <param name="what">What it is, for errors (e.g. <c>forges[github].auth.token</c>).</param>
    public TokenAuth(SecretRef token, SecretResolver secrets, string what)
    {
        _token = token ?? throw new ArgumentNullException(nameof(token));
        _secrets = secrets ?? throw new ArgumentNullException(nameof(secrets));
        _what = what;
    }

    /// <inheritdoc/>
    public string Describe => $"token {_token}";

    /// <inheritdoc/>
    public Task<string> AuthorizationAsync(CancellationToken cancellationToken) =>
        Task.FromResult("Bearer " + _secrets.Resolve(_token, _what));

    /// <inheritdoc/>
    public void Invalidate()
    {
    }
}
