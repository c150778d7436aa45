namespace Drover.Core.Planning;

/// <summary>
/// Runner names and idempotency keys: <c>{controllerId}-{pool}-{ordinal}</c>. The same key is the runner's name at
/// the forge and the instance's name or tag at the provider, so either side can be traced back to the pool and the
/// intent that created it, and a retried create is recognised.
/// </summary>
public static class RunnerKeys
{
    public static string For(string controllerId, string pool, long ordinal) => $"{controllerId}-{pool}-{ordinal}";
}
