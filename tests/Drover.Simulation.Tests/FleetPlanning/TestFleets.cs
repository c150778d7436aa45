using Drover.Core.Config;
using Drover.Core.Traces;

namespace Drover.Simulation.Tests.FleetPlanning;

/// <summary>Small fleet files and traces for the fleet simulation tests, loaded through the real loader.</summary>
internal static class TestFleets
{
    /// <summary>Two GitHub pools of one organisation (linux, gpu), one of a single repository (e2e) and a GitLab pool.</summary>
    public const string Yaml = """
        forges:
          - { name: github, kind: github, url: https://api.github.com, auth: { token: env:GH_TOKEN } }
          - { name: gitlab, kind: gitlab, url: https://gitlab.example.com, auth: { token: env:GL_TOKEN } }
        providers:
          - name: sim
            type: simulated
            price: { currency: EUR, onDemand: { perHour: 0.60 } }
        pools:
          - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: sim, max: 20, idleTimeout: 2m, team: platform, priority: 10 }
          - { name: gpu, forge: github, scope: { org: acme }, labels: [linux, gpu], provider: sim, max: 3, team: ml }
          - { name: e2e, forge: github, scope: { repo: acme/web }, labels: [linux, e2e], provider: sim, max: 5, priority: 5 }
          - { name: shell, forge: gitlab, scope: { group: platform }, tags: [shell], provider: sim, max: 2 }
        teams:
          - { name: platform }
          - { name: ml }
        """;

    public static FleetConfig Load(string yaml = Yaml)
    {
        var result = new FleetConfigLoader().LoadFromString(yaml, "fleet.yaml");
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Config!;
    }

    public static readonly DateTimeOffset Monday = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A job queued <paramref name="minutes"/> after Monday 00:00 UTC.</summary>
    public static TraceJob Job(double minutes, string labels, string? scope = "acme/app", double seconds = 300) =>
        new(Monday.AddMinutes(minutes), null, seconds, LabelSet.Parse(labels), scope);

    public static Trace Trace(params TraceJob[] jobs) => new("test", "test", jobs);
}
