using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Drover.Providers.Ec2;

/// <summary>
/// The AWS SDK's default credential chain (environment, shared profile, web identity / IRSA, container and instance
/// metadata), resolved at the first call instead of when the client is built: Drover starts without AWS credentials and
/// the provider reports their absence in its health and on each call (a refusal for its configuration), as it would a
/// refused key, while the fleet's other providers run. A failed resolution is tried again at the next call.
/// </summary>
internal sealed class DeferredCredentials : AWSCredentials
{
    private readonly IClientConfig _config;
    private readonly Lock _sync = new();
    private AWSCredentials? _resolved;

    /// <param name="config">The client configuration the chain reads (region, profile).</param>
    public DeferredCredentials(IClientConfig config)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
    }

    /// <inheritdoc/>
    public override ImmutableCredentials GetCredentials() => Resolve().GetCredentials();

    /// <inheritdoc/>
    public override Task<ImmutableCredentials> GetCredentialsAsync() => Resolve().GetCredentialsAsync();

    private AWSCredentials Resolve()
    {
        lock (_sync)
        {
            if (_resolved is not null)
            {
                return _resolved;
            }

            try
            {
                return _resolved = DefaultAWSCredentialsIdentityResolver.GetCredentials(_config);
            }
            catch (AmazonClientException e)
            {
                throw new AmazonClientException(
                    "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a web identity token (IRSA), or run where instance metadata gives a role", e);
            }
        }
    }
}
