namespace Drover.Providers.External;

/// <summary>
/// The values of <c>GARM_COMMAND</c>, as GARM's <c>garm-provider-common/execution/common/commands.go</c> spells them
/// (not the <c>Start</c>/<c>Stop</c> of GARM's prose documentation), and the exit codes GARM gives a meaning.
/// </summary>
internal static class GarmCommand
{
    public const string CreateInstance = "CreateInstance";
    public const string DeleteInstance = "DeleteInstance";
    public const string GetInstance = "GetInstance";
    public const string ListInstances = "ListInstances";
    public const string RemoveAllInstances = "RemoveAllInstances";
    public const string StartInstance = "StartInstance";
    public const string StopInstance = "StopInstance";
    public const string GetVersion = "GetVersion";

    /// <summary><c>ExitCodeNotFound</c>: the instance does not exist; a delete that gets it has nothing left to do.</summary>
    public const int ExitNotFound = 30;

    /// <summary><c>ExitCodeDuplicate</c>: an instance of that name exists already.</summary>
    public const int ExitDuplicate = 31;

    /// <summary>The interface versions GARM speaks: <c>v0.1.0</c> (its default) and <c>v0.1.1</c>.</summary>
    public const string V010 = "v0.1.0";

    /// <summary>v0.1.1: <c>GARM_POOL_ID</c> and <c>GARM_POOL_EXTRASPECS</c> on every command.</summary>
    public const string V011 = "v0.1.1";
}
