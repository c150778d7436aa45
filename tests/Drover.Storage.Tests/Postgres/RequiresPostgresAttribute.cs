namespace Drover.Storage.Tests.Postgres;

/// <summary>Marks a test class whose <see cref="StoreFactAttribute"/> cases need a PostgreSQL server.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;
