using Drover.Testing.Postgres;

namespace Drover.Storage.Tests.Postgres;

/// <summary>Every test class that needs PostgreSQL shares one server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
