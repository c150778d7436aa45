using Drover.Testing.Postgres;

namespace Drover.Server.Tests.Postgres;

/// <summary>Every server test class that needs PostgreSQL shares one throw-away server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
