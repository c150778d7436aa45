namespace Drover.Testing.Postgres;

/// <summary>A fact that needs a PostgreSQL server: skipped with a reason when the binaries are missing, unless CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresBinaries.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
