namespace Drover.Providers.Ec2;

/// <summary>
/// The narrow port over the EC2 API the provider uses: launch one instance, list by filters a page at a time,
/// terminate. The real one (<see cref="Ec2Api"/>) speaks through the AWS SDK; failures are <see cref="Ec2ApiException"/>s
/// with EC2's error code and words.
/// </summary>
internal interface IEc2Api : IDisposable
{
    /// <summary>Launches one instance as <paramref name="launch"/> says (RunInstances, MinCount = MaxCount = 1).</summary>
    Task<Ec2Instance> RunAsync(Ec2Launch launch, CancellationToken cancellationToken);

    /// <summary>One page of DescribeInstances with <paramref name="filters"/>.</summary>
    Task<(IReadOnlyList<Ec2Instance> Instances, string? NextToken)> DescribeAsync(
        IReadOnlyList<KeyValuePair<string, string[]>> filters, int pageSize, string? nextToken, CancellationToken cancellationToken);

    /// <summary>Terminates <paramref name="instanceId"/> (TerminateInstances).</summary>
    Task TerminateAsync(string instanceId, CancellationToken cancellationToken);
}
