namespace Drover.Testing.Oidc;

/// <summary>A user of <see cref="OidcIssuerEmulator"/>: subject, preferred username and groups.</summary>
public sealed record OidcUser(string Subject, string Name, IReadOnlyList<string> Groups);
