using System.Net;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace Drover.Providers.Ec2;

/// <summary>
/// The <see cref="IEc2Api"/> over the AWS SDK's EC2 client. The SDK's own retries are off: Drover's call policy retries
/// transient failures and waits out rate limits, so there is one place that decides.
/// </summary>
internal sealed class Ec2Api : IEc2Api
{
    private readonly AmazonEC2Client _client;
    private readonly string _provider;
    private readonly TimeProvider _time;
    private int _throttledInARow;

    /// <param name="client">The SDK client (region, endpoint and credentials set).</param>
    /// <param name="provider">The provider's name, for messages.</param>
    /// <param name="time">The clock a throttled call's retry time is counted from.</param>
    public Ec2Api(AmazonEC2Client client, string provider, TimeProvider time)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _provider = provider;
        _time = time;
    }

    /// <summary>
    /// An SDK client for <paramref name="settings"/>: the region's endpoint or <c>endpoint</c>; credentials
    /// <paramref name="credentials"/> or, when null, the SDK's default chain (environment, profile, web identity, IMDS),
    /// resolved at the first call (<see cref="DeferredCredentials"/>).
    /// </summary>
    public static AmazonEC2Client Client(Ec2ProviderSettings settings, AWSCredentials? credentials)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new AmazonEC2Config
        {
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (settings.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = settings.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.Region);
        }

        return new AmazonEC2Client(credentials ?? new DeferredCredentials(config), config);
    }

    /// <inheritdoc/>
    public Task<Ec2Instance> RunAsync(Ec2Launch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var template = launch.Template;
        var request = new RunInstancesRequest
        {
            MinCount = 1,
            MaxCount = 1,
            ClientToken = launch.ClientToken,
            ImageId = launch.ImageId,
            InstanceType = launch.InstanceType is null ? null : InstanceType.FindValue(launch.InstanceType),
            SubnetId = launch.SubnetId,
            UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(launch.UserData)),
            InstanceInitiatedShutdownBehavior = ShutdownBehavior.Terminate,
            MetadataOptions = new InstanceMetadataOptionsRequest { HttpTokens = HttpTokensState.Required, HttpEndpoint = InstanceMetadataEndpointState.Enabled },
            TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = [.. launch.Tags.Select(t => new Tag(t.Key, t.Value))] },
                new TagSpecification { ResourceType = ResourceType.Volume, Tags = [.. launch.Tags.Select(t => new Tag(t.Key, t.Value))] },
            ],
        };
        if (template.SecurityGroups.Count > 0)
        {
            request.SecurityGroupIds = [.. template.SecurityGroups];
        }

        if (template.InstanceProfile is { } profile)
        {
            request.IamInstanceProfile = profile.StartsWith("arn:", StringComparison.Ordinal)
                ? new IamInstanceProfileSpecification { Arn = profile }
                : new IamInstanceProfileSpecification { Name = profile };
        }

        if (template.RootVolumeSizeGiB is not null || template.RootVolumeType is not null)
        {
            request.BlockDeviceMappings =
            [
                new BlockDeviceMapping
                {
                    DeviceName = template.RootDeviceName,
                    Ebs = new EbsBlockDevice { VolumeSize = template.RootVolumeSizeGiB, VolumeType = template.RootVolumeType is { } t ? VolumeType.FindValue(t) : null, DeleteOnTermination = true },
                },
            ];
        }

        if (template.LaunchTemplateId is not null || template.LaunchTemplateName is not null)
        {
            request.LaunchTemplate = new LaunchTemplateSpecification
            {
                LaunchTemplateId = template.LaunchTemplateId,
                LaunchTemplateName = template.LaunchTemplateName,
                Version = template.LaunchTemplateVersion,
            };
        }

        if (launch.Spot)
        {
            request.InstanceMarketOptions = new InstanceMarketOptionsRequest
            {
                MarketType = MarketType.Spot,
                SpotOptions = new SpotMarketOptions { SpotInstanceType = SpotInstanceType.OneTime, InstanceInterruptionBehavior = InstanceInterruptionBehavior.Terminate },
            };
        }

        return CallAsync("RunInstances", async () =>
        {
            var response = await _client.RunInstancesAsync(request, cancellationToken).ConfigureAwait(false);
            var made = response.Reservation?.Instances?.FirstOrDefault()
                ?? throw new Ec2ApiException(_provider, "RunInstances", "EmptyReservation", "the answer names no instance", HttpStatusCode.InternalServerError);
            return Map(made);
        });
    }

    /// <inheritdoc/>
    public Task<(IReadOnlyList<Ec2Instance> Instances, string? NextToken)> DescribeAsync(
        IReadOnlyList<KeyValuePair<string, string[]>> filters, int pageSize, string? nextToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var request = new DescribeInstancesRequest
        {
            Filters = [.. filters.Select(f => new Filter(f.Key, [.. f.Value]))],
            MaxResults = pageSize,
            NextToken = nextToken,
        };
        return CallAsync("DescribeInstances", async () =>
        {
            var response = await _client.DescribeInstancesAsync(request, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<Ec2Instance> instances = [.. (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(Map)];
            return (instances, string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken);
        });
    }

    /// <inheritdoc/>
    public Task TerminateAsync(string instanceId, CancellationToken cancellationToken) =>
        CallAsync("TerminateInstances", async () =>
        {
            await _client.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            var result = await call().ConfigureAwait(false);
            Interlocked.Exchange(ref _throttledInARow, 0);
            return result;
        }
        catch (AmazonServiceException e) when (!string.IsNullOrEmpty(e.ErrorCode))
        {
            DateTimeOffset? retryAt = null;
            if (e.ErrorCode is "RequestLimitExceeded" or "Throttling" or "ThrottlingException")
            {
                // EC2 says no time: back off 1 s, doubling while throttling goes on, up to 30 s.
                var inARow = Math.Min(Interlocked.Increment(ref _throttledInARow), 6);
                retryAt = _time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(30, 1 << (inARow - 1)));
            }

            throw new Ec2ApiException(_provider, operation, e.ErrorCode, e.Message, e.StatusCode, retryAt, e);
        }
        catch (AmazonClientException e) when (e.Message.StartsWith("no AWS credentials", StringComparison.Ordinal))
        {
            throw new Ec2ApiException(_provider, operation, "NoCredentials", e.Message, HttpStatusCode.Unauthorized, null, e);
        }
    }

    private static Ec2Instance Map(Instance instance)
    {
        var launched = instance.LaunchTime is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        return new Ec2Instance(instance.InstanceId, instance.State?.Name?.Value ?? "pending", launched)
        {
            StateReasonCode = instance.StateReason?.Code,
            StateReasonMessage = instance.StateReason?.Message,
            Spot = instance.InstanceLifecycle?.Value == "spot",
            InstanceType = instance.InstanceType?.Value,
            AvailabilityZone = instance.Placement?.AvailabilityZone,
            Tags = (instance.Tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value ?? "", StringComparer.Ordinal),
        };
    }
}
