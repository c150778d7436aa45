using Microsoft.Extensions.Logging;

namespace Drover.Providers.Ec2;

/// <summary>The ec2 provider's log messages (source-generated). Never pass a token or credential to these.</summary>
internal static partial class Ec2ProviderLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} of pool {Pool} launched as {InstanceId} ({InstanceType}, {Market}, {Zone})")]
    public static partial void Launched(ILogger logger, string provider, string runnerName, string pool, string instanceId, string instanceType, string market, string zone);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Provider {Provider}: no capacity for runner {RunnerName} as {InstanceType} {Market} in {Subnet}: {Reason}; trying the next choice")]
    public static partial void NoCapacity(ILogger logger, string provider, string runnerName, string instanceType, string market, string subnet, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Provider {Provider}: {Interruptions} spot interruptions in pool {Pool} within {WindowMinutes} min; launching on-demand until {Until:O}")]
    public static partial void SpotBreakerOpened(ILogger logger, string provider, string pool, int interruptions, double windowMinutes, DateTimeOffset until);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Provider {Provider}: spot instance {InstanceId} of pool {Pool} (runner {RunnerName}) was interrupted: {Reason}")]
    public static partial void SpotInterrupted(ILogger logger, string provider, string instanceId, string pool, string runnerName, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Provider {Provider}: terminated {InstanceId} (runner {RunnerName})")]
    public static partial void Terminated(ILogger logger, string provider, string instanceId, string runnerName);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} already has instance {InstanceId}; not launching another")]
    public static partial void Found(ILogger logger, string provider, string runnerName, string instanceId);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "Provider {Provider}: pool {Pool} requires spot but its spot breaker is open; launching spot anyway (spot: require never falls back)")]
    public static partial void SpotRequiredWhileOpen(ILogger logger, string provider, string pool);
}
