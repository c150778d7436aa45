using Drover.Core.Config;
using Drover.Engine.Demo;
using Drover.Server.Auth;

namespace Drover.Server.Hosting;

/// <summary>Everything <c>drover serve</c> starts with.</summary>
public sealed record ServerOptions
{
    /// <summary>Loads (and on reload, re-loads) the fleet configuration; returns the config or every error.</summary>
    public required Func<ConfigLoadResult> LoadConfig { get; init; }

    /// <summary>
    /// The configuration file <see cref="LoadConfig"/> reads, if any: it is watched, and a change reloads it the same
    /// way as <c>POST /api/v1/reload</c>. Null (the demo, or a configuration not from a file): nothing is watched.
    /// </summary>
    public string? ConfigFile { get; init; }

    /// <summary>Where the state lives: <c>sqlite:PATH</c> or <c>postgres:CONNSTR</c>. Never logged.</summary>
    public required string StoreLocation { get; init; }

    /// <summary>Listen addresses, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The API tokens.</summary>
    public IReadOnlyList<ApiToken> Tokens { get; init; } = [];

    /// <summary>True for the no-accounts demo: the dashboard shows a DEMO banner.</summary>
    public bool Demo { get; init; }

    /// <summary>Speed and load of the simulated world.</summary>
    public DemoOptions DemoOptions { get; init; } = DemoOptions.Default;

    /// <summary>Periodic resync of the control loop.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);
}
