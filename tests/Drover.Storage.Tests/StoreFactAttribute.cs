using Xunit.Sdk;

namespace Drover.Storage.Tests;

/// <summary>
/// A contract fact. The contract's cases are declared once and inherited by one class per store; this
/// attribute's discoverer skips them in a class marked <see cref="Postgres.RequiresPostgresAttribute"/> when
/// PostgreSQL is missing (and CI is not set), exactly as <see cref="Drover.Testing.Postgres.PostgresFactAttribute"/> does.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Drover.Storage.Tests.StoreFactDiscoverer", "Drover.Storage.Tests")]
public sealed class StoreFactAttribute : FactAttribute;
