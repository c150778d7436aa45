using Drover.Core.Config;

namespace Drover.Providers.Ec2;

/// <summary>
/// The settings of an <c>ec2</c> provider (one AWS account and region), bound from <c>providers[i].settings</c> by
/// <see cref="Ec2Module"/>. Every key is documented in <c>docs/providers/ec2.md</c>.
/// </summary>
internal sealed record Ec2ProviderSettings
{
    /// <summary>The settings keys this provider reads.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["region", "endpoint", "bootstrapUrl", "bootstrapTokenValidity", "spotBreaker", "listPageSize"];

    /// <summary>The keys of <c>spotBreaker</c>.</summary>
    public static IReadOnlyList<string> BreakerKeys { get; } = ["interruptions", "window", "onDemandFor"];

    /// <summary>The provider's name (set when the provider is built).</summary>
    public string ProviderName { get; init; } = "ec2";

    /// <summary>The AWS region, e.g. <c>eu-west-1</c>.</summary>
    public string Region { get; init; } = "";

    /// <summary>The EC2 endpoint instead of the region's (tests, GovCloud, local stacks); null: the region's.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Drover's URL as instances reach it; they fetch their runner credential at <c>{bootstrapUrl}/api/v1/bootstrap/credential</c>.</summary>
    public Uri BootstrapUrl { get; init; } = new("http://localhost");

    /// <summary>How long an instance's one-time bootstrap token is valid after its create.</summary>
    public TimeSpan BootstrapTokenValidity { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Spot interruptions of a pool within <see cref="SpotBreakerWindow"/> that send it to on-demand capacity.</summary>
    public int SpotBreakerInterruptions { get; init; } = 2;

    /// <summary>The window the interruptions are counted in.</summary>
    public TimeSpan SpotBreakerWindow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a pool whose breaker opened uses on-demand capacity before it tries spot again.</summary>
    public TimeSpan SpotBreakerOnDemandFor { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>DescribeInstances page size (MaxResults, 5–1000).</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>
    /// Binds <paramref name="section"/>, reporting every problem where it is written; the values bound, with defaults
    /// for what is absent or wrong.
    /// </summary>
    public static Ec2ProviderSettings Bind(ConfigSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var defaults = new Ec2ProviderSettings();
        if (section.Fields(Keys) is not { } fields)
        {
            if (!section.Exists)
            {
                section.Error("region", "is required: the AWS region the instances run in, e.g. eu-west-1");
                section.Error("bootstrapUrl", "is required: Drover's URL as the instances reach it, e.g. https://drover.example.com");
            }

            return defaults;
        }

        var region = fields.String("region", required: true) ?? "";
        if (region.Length > 0 && !IsRegion(region))
        {
            fields.Error("region", $"'{region}' is not an AWS region name such as eu-west-1 or us-gov-west-1");
        }

        var endpoint = fields.Url("endpoint");
        var bootstrap = fields.Url("bootstrapUrl", required: true);
        if (bootstrap is not null && (bootstrap.Query.Length > 0 || bootstrap.Fragment.Length > 0))
        {
            fields.Error("bootstrapUrl", "must be Drover's base URL without a query or fragment; instances append /api/v1/bootstrap/credential");
            bootstrap = null;
        }

        var validity = fields.Duration("bootstrapTokenValidity") ?? defaults.BootstrapTokenValidity;
        if (validity < TimeSpan.FromMinutes(1) || validity > TimeSpan.FromHours(2))
        {
            fields.Error("bootstrapTokenValidity", "must be between 1m and 2h: long enough for an instance to boot, short enough that a leaked token soon means nothing");
        }

        var pageSize = fields.Int("listPageSize") ?? defaults.ListPageSize;
        if (pageSize is < 5 or > 1000)
        {
            fields.Error("listPageSize", $"must be between 5 and 1000 (EC2's MaxResults), got {pageSize}");
        }

        var settings = defaults with
        {
            Region = region,
            Endpoint = endpoint,
            BootstrapUrl = bootstrap ?? defaults.BootstrapUrl,
            BootstrapTokenValidity = validity,
            ListPageSize = pageSize,
        };
        var breaker = fields.Section("spotBreaker");
        if (breaker.Fields(BreakerKeys) is { } b)
        {
            var interruptions = b.Int("interruptions") ?? settings.SpotBreakerInterruptions;
            if (interruptions < 1)
            {
                b.Error("interruptions", $"must be at least 1, got {interruptions}");
            }

            var window = b.Duration("window") ?? settings.SpotBreakerWindow;
            var onDemandFor = b.Duration("onDemandFor") ?? settings.SpotBreakerOnDemandFor;
            foreach (var (key, value) in new[] { ("window", window), ("onDemandFor", onDemandFor) })
            {
                if (value <= TimeSpan.Zero)
                {
                    b.Error(key, "must be longer than 0s");
                }
            }

            settings = settings with { SpotBreakerInterruptions = interruptions, SpotBreakerWindow = window, SpotBreakerOnDemandFor = onDemandFor };
        }

        return settings;
    }

    private static bool IsRegion(string region)
    {
        var parts = region.Split('-');
        return parts.Length is 3 or 4 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
            && char.IsAsciiDigit(parts[^1][0]);
    }
}
