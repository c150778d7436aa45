namespace Drover.Core.Config;

/// <summary>A place runners run: a Kubernetes cluster, a cloud account, this host's processes, a plugin.</summary>
public sealed record ProviderConfig
{
    public required string Name { get; init; }

    /// <summary>Provider type, e.g. <c>kubernetes</c>, <c>ec2</c>, <c>process</c>, <c>simulated</c>, <c>external</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Type-specific settings (namespace, region, command template, ...). Secrets by reference only.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The typed settings the provider type's module bound from <c>settings</c> (see <c>IProviderModule.BindSettings</c>);
    /// the provider is built from exactly these. Null when no module bound them.
    /// </summary>
    public object? ModuleSettings { get; init; }
}
