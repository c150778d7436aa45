using System.Globalization;
using System.Text;

namespace Drover.Benchmarks.Scale;

/// <summary>
/// A generated fleet for the scale benchmark: <c>pools</c> pools, half on a GitHub forge and half on a GitLab forge, each
/// with a label of its own, keeping <c>idle</c> runners warm (policy <c>reactive</c>), all on one simulated provider.
/// </summary>
internal static class ScaleFleet
{
    public const string FileName = "scale-fleet.yaml";

    /// <summary>The forge of pool <paramref name="index"/>: even pools are GitHub's, odd GitLab's.</summary>
    public static string ForgeOf(int index) => index % 2 == 0 ? "github" : "gitlab";

    /// <summary>The labels (GitHub) or tags (GitLab) a job for pool <paramref name="index"/> asks for.</summary>
    public static string[] LabelsOf(int index) => index % 2 == 0 ? ["linux", PoolName(index)] : ["docker", PoolName(index)];

    public static string PoolName(int index) => "p" + index.ToString("D4", CultureInfo.InvariantCulture);

    public static string Yaml(int pools, int idle, int max)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("controllerId: drover-scale");
        yaml.AppendLine("orphanGracePeriod: 2m");
        yaml.AppendLine("staleJobAge: 1h");
        yaml.AppendLine("forges:");
        yaml.AppendLine("  - { name: github, kind: github, url: https://github.invalid, auth: { token: env:DROVER_DEMO_UNUSED_TOKEN } }");
        yaml.AppendLine("  - { name: gitlab, kind: gitlab, url: https://gitlab.invalid, auth: { token: env:DROVER_DEMO_UNUSED_TOKEN } }");
        yaml.AppendLine("providers:");
        yaml.AppendLine("  - name: sim");
        yaml.AppendLine("    type: simulated");
        yaml.AppendLine("    price: { currency: USD, onDemand: { perVcpuHour: 0.04, perGibHour: 0.005 }, billing: per-second, minimum: 1m }");
        yaml.AppendLine("pools:");
        for (var i = 0; i < pools; i++)
        {
            var github = ForgeOf(i) == "github";
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: {PoolName(i)}\n");
            yaml.Append(CultureInfo.InvariantCulture, $"    forge: {ForgeOf(i)}\n");
            yaml.Append(github ? "    scope: { org: example }\n" : "    scope: { group: example }\n");
            yaml.Append(CultureInfo.InvariantCulture, $"    {(github ? "labels" : "tags")}: [{string.Join(", ", LabelsOf(i))}]\n");
            yaml.Append(CultureInfo.InvariantCulture, $"    provider: sim\n    max: {max}\n    idle: {idle}\n    idleTimeout: 24h\n    policy: reactive\n");
            yaml.Append("    template: { profile: small }\n");
        }

        return yaml.ToString();
    }
}
