using System.Globalization;
using Drover.Core.Config;

namespace Drover.Core.Cost;

/// <summary>What one runner of a template asks for, in the units prices use: vCPUs, GiB of memory, GPUs.</summary>
/// <param name="Vcpu">vCPUs; null when the template says neither <c>cpu</c> nor <c>profile</c>.</param>
/// <param name="MemoryGib">GiB of memory; null when the template says neither <c>memory</c> nor <c>profile</c>.</param>
/// <param name="Gpu">GPUs.</param>
public sealed record InstanceResources(decimal? Vcpu, decimal? MemoryGib, int Gpu)
{
    /// <summary>CPU and memory of a named profile, in Kubernetes quantity syntax (what the pod requests).</summary>
    public static (string Cpu, string Memory) Profile(ResourceProfile profile) => profile switch
    {
        ResourceProfile.Small => ("1", "2Gi"),
        ResourceProfile.Medium => ("2", "4Gi"),
        ResourceProfile.Large => ("4", "8Gi"),
        _ => ("8", "16Gi"),
    };

    /// <summary>The resources of <paramref name="template"/>; quantities that do not parse count as not set.</summary>
    public static InstanceResources Of(InstanceTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var (cpu, memory) = template.Profile is { } profile ? Profile(profile) : (template.Cpu, template.Memory);
        return new InstanceResources(ParseCpu(cpu), ParseGib(memory), Math.Max(0, template.Gpu));
    }

    /// <summary>vCPUs of a quantity (<c>2</c>, <c>500m</c>), or null.</summary>
    public static decimal? ParseCpu(string? quantity)
    {
        if (quantity is null)
        {
            return null;
        }

        return quantity.EndsWith('m') ? Number(quantity[..^1]) / 1000m : Number(quantity);
    }

    /// <summary>GiB of a memory quantity (<c>4Gi</c>, <c>512Mi</c>, <c>4G</c>, bytes), or null.</summary>
    public static decimal? ParseGib(string? quantity)
    {
        if (quantity is null)
        {
            return null;
        }

        const decimal Gib = 1024m * 1024m * 1024m;
        foreach (var (suffix, bytes) in Units)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
            {
                return Number(quantity[..^suffix.Length]) * bytes / Gib;
            }
        }

        return Number(quantity) / Gib;
    }

    private static readonly (string Suffix, decimal Bytes)[] Units =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024m), ("Gi", 1024m * 1024m * 1024m), ("Ti", 1024m * 1024m * 1024m * 1024m),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("m", 1e-3m),
    ];

    private static decimal? Number(string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;
}
