namespace Drover.Providers.Ec2;

/// <summary>The tags that mark an instance as Drover's: by controller and provider (ownership), pool and runner.</summary>
internal static class Ec2Tags
{
    /// <summary>The controller id of the Drover that owns the instance.</summary>
    public const string Controller = "drover:controller";

    /// <summary>The name of the provider that made it.</summary>
    public const string Provider = "drover:provider";

    /// <summary>The pool it serves.</summary>
    public const string Pool = "drover:pool";

    /// <summary>The runner (the create's idempotency key).</summary>
    public const string Runner = "drover:runner";
}
