using Drover.Core.Adapters;
using Drover.Server.Auth;
using Drover.Testing;
using Drover.Testing.Ldap;

namespace Drover.Server.Tests.Auth;

/// <summary>
/// <see cref="LdapDirectory"/> against a real slapd: both ways of reading groups (<c>memberOf</c>, a group search), user
/// names with filter metacharacters, and a bind refused for its password reported by the health probe.
/// </summary>
public sealed class LdapDirectoryTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("drover-ldap-dir-");
    private SlapdServer? _slapd;

    private SlapdServer Slapd => _slapd!;

    public async Task InitializeAsync()
    {
        if (SlapdServer.Installed || Environment.GetEnvironmentVariable("CI") == "true")
        {
            _slapd = await SlapdServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_slapd is not null)
        {
            await _slapd.DisposeAsync();
        }

        _directory.Dispose();
    }

    [SlapdFact]
    public async Task Groups_FromMemberOf_ByDnAndName()
    {
        var directory = Directory(o => o);
        var groups = await directory.GroupsAsync("alice", fresh: true, CancellationToken.None);
        Assert.Equal(["cn=sre," + SlapdServer.GroupsBase, "sre"], groups);
        Assert.Empty(await directory.GroupsAsync("nobody-by-that-name", fresh: true, CancellationToken.None));
    }

    [SlapdFact]
    public async Task Groups_FromAGroupSearch_ByDnAndCn()
    {
        var directory = Directory(o => o with { GroupBase = SlapdServer.GroupsBase, GroupFilter = "(&(objectClass=groupOfNames)(member={dn}))" });
        Assert.Equal(["cn=drover-admins," + SlapdServer.GroupsBase, "drover-admins"], await directory.GroupsAsync("carol", fresh: true, CancellationToken.None));
        Assert.Equal(["cn=sre," + SlapdServer.GroupsBase, "sre"], await directory.GroupsAsync(SlapdServer.MetacharacterUser, fresh: true, CancellationToken.None));
    }

    [SlapdFact]
    public async Task Groups_HostileUserNames_FindNobody_TheExactOneFindsItself()
    {
        foreach (var mode in new Func<LdapOptions, LdapOptions>[] { o => o, o => o with { GroupBase = SlapdServer.GroupsBase, GroupFilter = "(|(member={dn})(cn={user}))" } })
        {
            var directory = Directory(mode);
            foreach (var hostile in new[] { "*", "car*", "*)(uid=carol", "carol)(|(uid=*", "dan*", "dan\\2a(ops)\\5c", "sre" })
            {
                Assert.True((await directory.GroupsAsync(hostile, fresh: true, CancellationToken.None)).Count == 0, $"'{hostile}' found groups");
            }

            Assert.Contains("sre", await directory.GroupsAsync(SlapdServer.MetacharacterUser, fresh: true, CancellationToken.None));
        }
    }

    [SlapdFact]
    public async Task Probe_WrongBindPassword_DownSayingInvalidCredentials()
    {
        var directory = Directory(o => o, password: "not-the-bind-password");
        var health = await directory.ProbeAsync(CancellationToken.None);
        Assert.Equal(ComponentStatus.Down, health.Status);
        Assert.Equal($"the LDAP directory 127.0.0.1:{Slapd.Port} refused the bind as '{SlapdServer.ServiceDn}': invalid credentials (check --ldap-bind-dn and --ldap-bind-password)", health.LastError);
        Assert.DoesNotContain("not-the-bind-password", string.Join(" ", health.Details.Values) + health.LastError, StringComparison.Ordinal);
        var lookup = await Assert.ThrowsAsync<LdapUnavailableException>(() => directory.GroupsAsync("alice", fresh: false, CancellationToken.None));
        Assert.Contains("invalid credentials", lookup.Message, StringComparison.Ordinal);

        var right = Directory(o => o);
        Assert.Equal(ComponentStatus.Degraded, right.Health().Status);
        Assert.Equal("never", right.Health().Details["checked"]);
        Assert.Equal(ComponentStatus.Ok, (await right.ProbeAsync(CancellationToken.None)).Status);
    }

    [SlapdFact]
    public async Task Groups_ApiLookupsUseTheCache_SignInsAsk()
    {
        var directory = Directory(o => o);
        Assert.NotEmpty(await directory.GroupsAsync("bob", fresh: false, CancellationToken.None));
        await Slapd.StopAsync();
        Assert.Equal(["cn=engineering," + SlapdServer.GroupsBase, "engineering"], await directory.GroupsAsync("bob", fresh: false, CancellationToken.None));
        await Assert.ThrowsAsync<LdapUnavailableException>(() => directory.GroupsAsync("bob", fresh: true, CancellationToken.None));
        Assert.Equal(ComponentStatus.Down, directory.Health().Status);
    }

    private LdapDirectory Directory(Func<LdapOptions, LdapOptions> adjust, string password = SlapdServer.ServicePassword) =>
        new(adjust(LdapSsoServer.Options(Slapd, _directory.File("unused"))), password, TimeProvider.System);
}
