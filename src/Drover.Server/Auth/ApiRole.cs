namespace Drover.Server.Auth;

/// <summary>What an API token may do; each role includes the ones below it.</summary>
public enum ApiRole
{
    /// <summary>Read pools, runners, jobs, events and the plan.</summary>
    Viewer = 1,

    /// <summary>Also drain pools and delete runners.</summary>
    Operator = 2,

    /// <summary>Also reload the configuration.</summary>
    Admin = 3,
}
