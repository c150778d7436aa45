using Drover.Core.Config;

namespace Drover.Providers.Ec2;

/// <summary>The operating system of a pool's image, which decides the user data's form.</summary>
internal enum InstanceOs
{
    /// <summary>cloud-init runs a shell script.</summary>
    Linux,

    /// <summary>EC2Launch runs a PowerShell script.</summary>
    Windows,
}

/// <summary>
/// A pool's <c>template.ec2</c>: what each of its instances is launched as. Bound by <see cref="Ec2Module"/> with every
/// problem at its file, line and column; documented in <c>docs/providers/ec2.md</c>.
/// </summary>
internal sealed record Ec2TemplateSettings
{
    /// <summary>The keys of <c>template.ec2</c>.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["ami", "ssmParameter", "instanceTypes", "subnets", "securityGroups", "instanceProfile", "rootVolume", "tags", "launchTemplate", "os", "runnerDir", "runnerVersion"];

    /// <summary>The keys of <c>rootVolume</c>.</summary>
    public static IReadOnlyList<string> VolumeKeys { get; } = ["sizeGiB", "type", "deviceName"];

    /// <summary>The keys of <c>launchTemplate</c>.</summary>
    public static IReadOnlyList<string> LaunchTemplateKeys { get; } = ["id", "name", "version"];

    /// <summary>Tag keys Drover sets itself; a pool's <c>tags</c> may not set them.</summary>
    public static IReadOnlyList<string> ReservedTags { get; } = [Ec2Tags.Controller, Ec2Tags.Provider, Ec2Tags.Pool, Ec2Tags.Runner, "Name"];

    private static readonly IReadOnlyDictionary<string, InstanceOs> _systems = new Dictionary<string, InstanceOs>(StringComparer.Ordinal)
    {
        ["linux"] = InstanceOs.Linux,
        ["windows"] = InstanceOs.Windows,
    };

    private static readonly string[] _volumeTypes = ["gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"];

    /// <summary>The AMI id (<c>ami-...</c>); null when <see cref="SsmParameter"/> or the launch template names the image.</summary>
    public string? Ami { get; init; }

    /// <summary>An SSM parameter holding the AMI id (resolved by EC2 at launch as <c>resolve:ssm:NAME</c>).</summary>
    public string? SsmParameter { get; init; }

    /// <summary>Instance types in order of preference; empty only with a launch template that sets one.</summary>
    public IReadOnlyList<string> InstanceTypes { get; init; } = [];

    /// <summary>Subnets (one per availability zone, in order of preference); empty: the default VPC's choice.</summary>
    public IReadOnlyList<string> Subnets { get; init; } = [];

    /// <summary>Security group ids.</summary>
    public IReadOnlyList<string> SecurityGroups { get; init; } = [];

    /// <summary>The IAM instance profile: a name, or an ARN (<c>arn:...</c>).</summary>
    public string? InstanceProfile { get; init; }

    /// <summary>The root volume's size in GiB; null: the image's.</summary>
    public int? RootVolumeSizeGiB { get; init; }

    /// <summary>The root volume's type; null: the image's.</summary>
    public string? RootVolumeType { get; init; }

    /// <summary>The root device name of the image.</summary>
    public string RootDeviceName { get; init; } = "/dev/sda1";

    /// <summary>Extra tags of every instance.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>A launch template id (<c>lt-...</c>); the settings above override it.</summary>
    public string? LaunchTemplateId { get; init; }

    /// <summary>A launch template name.</summary>
    public string? LaunchTemplateName { get; init; }

    /// <summary>The launch template version (a number, <c>$Latest</c> or <c>$Default</c>); null: its default.</summary>
    public string? LaunchTemplateVersion { get; init; }

    /// <summary>The image's operating system.</summary>
    public InstanceOs Os { get; init; } = InstanceOs.Linux;

    /// <summary>Where the runner is (or is installed to) on the image.</summary>
    public string? RunnerDir { get; init; }

    /// <summary>The GitHub runner version installed when the image has none.</summary>
    public string RunnerVersion { get; init; } = "2.329.0";

    /// <summary>The runner directory for <see cref="Os"/> when <see cref="RunnerDir"/> is not set.</summary>
    public string RunnerDirectory => RunnerDir ?? (Os == InstanceOs.Windows ? @"C:\actions-runner" : "/opt/actions-runner");

    /// <summary>Binds <paramref name="section"/> (<c>pools[i].template.ec2</c>), reporting every problem where it is written.</summary>
    public static Ec2TemplateSettings? Bind(ConfigSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (!section.Exists)
        {
            section.Error("is required for a pool on an ec2 provider: at least the image (ami or ssmParameter) and instanceTypes");
            return null;
        }

        if (section.Fields(Keys) is not { } fields)
        {
            return null;
        }

        var settings = new Ec2TemplateSettings
        {
            Ami = fields.String("ami"),
            SsmParameter = fields.String("ssmParameter"),
            InstanceTypes = fields.StringList("instanceTypes") ?? [],
            Subnets = fields.StringList("subnets") ?? [],
            SecurityGroups = fields.StringList("securityGroups") ?? [],
            InstanceProfile = fields.String("instanceProfile"),
            Tags = [.. fields.StringMap("tags") ?? new Dictionary<string, string>()],
            Os = fields.Enum("os", _systems) ?? InstanceOs.Linux,
            RunnerDir = fields.String("runnerDir"),
            RunnerVersion = fields.String("runnerVersion") ?? "2.329.0",
        };

        var launchTemplate = fields.Section("launchTemplate");
        if (launchTemplate.Fields(LaunchTemplateKeys) is { } lt)
        {
            settings = settings with { LaunchTemplateId = lt.String("id"), LaunchTemplateName = lt.String("name"), LaunchTemplateVersion = lt.String("version") };
            if ((settings.LaunchTemplateId is null) == (settings.LaunchTemplateName is null) && lt.Has("id") == lt.Has("name"))
            {
                launchTemplate.Error("needs exactly one of id (lt-...) or name");
            }

            if (settings.LaunchTemplateId is { } id && !id.StartsWith("lt-", StringComparison.Ordinal))
            {
                lt.Error("id", $"'{id}' is not a launch template id (lt-...); to name one, write launchTemplate.name");
            }

            if (settings.LaunchTemplateVersion is { } version && version is not ("$Latest" or "$Default") && !(version.Length > 0 && version.All(char.IsAsciiDigit)))
            {
                lt.Error("version", $"must be a version number, $Latest or $Default, got '{version}'");
            }
        }

        var hasTemplate = settings.LaunchTemplateId is not null || settings.LaunchTemplateName is not null;
        if (settings.Ami is not null && settings.SsmParameter is not null)
        {
            fields.Error("ssmParameter", "is written with ami too; name the image one way");
        }
        else if (settings.Ami is null && settings.SsmParameter is null && !hasTemplate && !fields.Has("ami") && !fields.Has("ssmParameter"))
        {
            section.Error("ami", "is required (or ssmParameter, or a launchTemplate that sets the image): the image each instance boots, e.g. ami-0abcdef1234567890");
        }

        if (settings.Ami is { } ami && !IsId(ami, "ami-"))
        {
            fields.Error("ami", $"'{ami}' is not an AMI id (ami- and hex digits); to name the image by an SSM parameter, write ssmParameter");
        }

        if (settings.SsmParameter is { } parameter && (parameter.Contains(' ', StringComparison.Ordinal) || parameter.StartsWith("resolve:", StringComparison.Ordinal)))
        {
            fields.Error("ssmParameter", $"must be the parameter's name, e.g. /aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id, got '{parameter}'");
        }

        if (settings.InstanceTypes.Count == 0 && !hasTemplate && !fields.Has("instanceTypes"))
        {
            section.Error("instanceTypes", "is required: the instance types in order of preference, e.g. [m7i.large, m6i.large]");
        }

        CheckList(fields, "instanceTypes", settings.InstanceTypes, t => t.Contains('.', StringComparison.Ordinal) && t.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'), "an instance type such as m7i.large");
        CheckList(fields, "subnets", settings.Subnets, s => IsId(s, "subnet-"), "a subnet id (subnet-...)");
        CheckList(fields, "securityGroups", settings.SecurityGroups, s => IsId(s, "sg-"), "a security group id (sg-...)");

        foreach (var (key, _) in settings.Tags)
        {
            if (ReservedTags.Contains(key, StringComparer.Ordinal) || key.StartsWith("aws:", StringComparison.Ordinal))
            {
                fields.Section("tags").Error(key, $"tag '{key}' is Drover's (or AWS's) own; choose another key");
            }
        }

        var volume = fields.Section("rootVolume");
        if (volume.Fields(VolumeKeys) is { } v)
        {
            var size = v.Int("sizeGiB");
            if (size is < 1 or > 16384)
            {
                v.Error("sizeGiB", $"must be between 1 and 16384 GiB, got {size}");
            }

            var type = v.String("type");
            if (type is not null && !_volumeTypes.Contains(type, StringComparer.Ordinal))
            {
                v.Error("type", $"unknown volume type '{type}'; expected one of {string.Join(", ", _volumeTypes)}");
            }

            var device = v.String("deviceName");
            if (device is not null && !device.StartsWith("/dev/", StringComparison.Ordinal) && !device.StartsWith("xvd", StringComparison.Ordinal))
            {
                v.Error("deviceName", $"must be the image's root device, e.g. /dev/sda1 or /dev/xvda, got '{device}'");
            }

            settings = settings with { RootVolumeSizeGiB = size, RootVolumeType = type, RootDeviceName = device ?? settings.RootDeviceName };
        }

        if (settings.RunnerDir is { } dir && (dir.Contains('\'', StringComparison.Ordinal) || dir.Contains('"', StringComparison.Ordinal) || dir.Contains('$', StringComparison.Ordinal)))
        {
            fields.Error("runnerDir", "must be a plain path without quotes or $");
        }

        if (!(settings.RunnerVersion.Length > 0 && settings.RunnerVersion.All(c => char.IsAsciiDigit(c) || c == '.')))
        {
            fields.Error("runnerVersion", $"must be a version such as 2.329.0, got '{settings.RunnerVersion}'");
        }

        return settings;
    }

    private static void CheckList(ConfigFields fields, string key, IReadOnlyList<string> values, Func<string, bool> valid, string what)
    {
        var section = fields.Section(key);
        if (!section.IsList)
        {
            return;
        }

        var list = section.Items();
        for (var i = 0; i < values.Count && i < list.Count; i++)
        {
            if (!valid(values[i]))
            {
                list[i].Error($"'{values[i]}' is not {what}");
            }
            else if (values.Take(i).Contains(values[i], StringComparer.Ordinal))
            {
                list[i].Error($"'{values[i]}' is listed twice");
            }
        }
    }

    private static bool IsId(string value, string prefix) =>
        value.StartsWith(prefix, StringComparison.Ordinal) && value.Length > prefix.Length && value[prefix.Length..].All(char.IsAsciiLetterOrDigit);
}
