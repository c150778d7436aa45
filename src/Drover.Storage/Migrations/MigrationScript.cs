namespace Drover.Storage.Migrations;

/// <summary>One embedded migration: <c>NNNN_name.sql</c> in a dialect's folder.</summary>
internal sealed record MigrationScript(int Version, string Name, string Sql);
