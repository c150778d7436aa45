using Drover.Core.Config;
using Drover.Server.Auth;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Server.Tests.Auth;

/// <summary>The LDAP lookup's pure parts: RFC 4515 escaping, filter and DN checks, the options' problems, the group cache.</summary>
public sealed class LdapUnitTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("*", "\\2a")]
    [InlineData("*)(uid=*))(|(uid=*", "\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a")]
    [InlineData("back\\slash", "back\\5cslash")]
    [InlineData("nul\0byte", "nul\\00byte")]
    [InlineData("jürgen.müller@example.com", "jürgen.müller@example.com")]
    public void Escape_Rfc4515_MetacharactersBecomeHexPairs(string value, string escaped) =>
        Assert.Equal(escaped, LdapFilter.Escape(value));

    [Fact]
    public void Render_EscapesEveryValue_AndLeavesTheTemplate()
    {
        var filter = LdapFilter.Render("(&(objectClass=groupOfNames)(|(member={dn})(memberUid={user})))", new Dictionary<string, string>
        {
            ["dn"] = "cn=a\\,b,ou=people,dc=x",
            ["user"] = "*)(cn=*",
        });
        Assert.Equal("(&(objectClass=groupOfNames)(|(member=cn=a\\5c,b,ou=people,dc=x)(memberUid=\\2a\\29\\28cn=\\2a)))", filter);
    }

    [Theory]
    [InlineData("(uid={user})", null)]
    [InlineData("(&(objectClass=person)(|(uid={user})(mail={user})))", null)]
    [InlineData("uid={user}", "must be one filter in parentheses")]
    [InlineData("(uid={user})(cn=x)", "not balanced")]
    [InlineData("((uid={user})", "not balanced")]
    [InlineData("(uid={username})", "unknown placeholder at column 6")]
    [InlineData("(uid={user)", "unknown placeholder")]
    public void TemplateProblem_SaysWhatIsWrong(string template, string? problem)
    {
        var found = LdapFilter.TemplateProblem(template, ["user"]);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("cn=drover-admins,ou=groups,dc=example,dc=com", "drover-admins")]
    [InlineData("cn=Smith\\, John,ou=people,dc=example,dc=com", "Smith, John")]
    [InlineData("CN = ops ,dc=x", "ops")]
    [InlineData("", null)]
    public void FirstRdnValue_IsTheGroupsName(string dn, string? name) =>
        Assert.Equal(name, LdapFilter.FirstRdnValue(dn));

    [Fact]
    public void Problems_NameEachFlag()
    {
        var options = new LdapOptions
        {
            Url = new Uri("ldaps://ldap.example.com/dc=example"),
            StartTls = true,
            BindDn = "drover",
            UserBase = "",
            UserFilter = "(mail=x)",
            GroupFilter = "(member={user}",
            CacheTtl = TimeSpan.FromHours(2),
        };
        var problems = options.Problems();
        Assert.Contains("--ldap-url 'ldaps://ldap.example.com/dc=example': must name only the scheme, host and port (the bases and filters have their own flags)", problems);
        Assert.Contains("--ldap-starttls is for ldap:// URLs; an ldaps:// URL is TLS already", problems);
        Assert.Contains("--ldap-bind-dn 'drover': 'drover' is not attribute=value; a DN looks like ou=people,dc=example,dc=com", problems);
        Assert.Contains("--ldap-bind-dn needs --ldap-bind-password (env:NAME or file:/path)", problems);
        Assert.Contains("--ldap-user-base '': must not be empty", problems);
        Assert.Contains("--ldap-user-filter '(mail=x)': must contain {user}, e.g. (uid={user})", problems);
        Assert.Contains(problems, p => p.StartsWith("--ldap-group-filter '(member={user}': must be one filter in parentheses", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("--ldap-cache-ttl", StringComparison.Ordinal));
        Assert.Equal(8, problems.Count);

        var fine = new LdapOptions { Url = new Uri("ldap://ldap.example.com"), StartTls = true, BindDn = "cn=drover,dc=example,dc=com", BindPassword = new SecretRef(SecretSource.Env, "P"), UserBase = "ou=people,dc=example,dc=com" };
        Assert.Empty(fine.Problems());
        Assert.Equal(389, fine.Port);
        Assert.Equal(636, (fine with { Url = new Uri("ldaps://ldap.example.com"), StartTls = false }).Port);
        Assert.Equal("ldap.example.com:1389", (fine with { Url = new Uri("ldap://ldap.example.com:1389") }).Name);
    }

    [Fact]
    public void Problems_OfTheLdapOptions_AreTheSsoOptionsProblems()
    {
        var oidc = new OidcOptions
        {
            Issuer = new Uri("https://idp.example.com"),
            Audience = "drover-api",
            Roles = [new(ApiRole.Viewer, "engineering")],
            Ldap = new LdapOptions { Url = new Uri("http://ldap.example.com"), UserBase = "ou=people,dc=example,dc=com" },
        };
        Assert.Equal(["--ldap-url 'http://ldap.example.com/': must be ldap://HOST[:PORT] or ldaps://HOST[:PORT]"], oidc.Problems());
    }

    [Fact]
    public void Cache_KeepsForTheTimeToLive_AndEvictsTheOldestWhenFull()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var cache = new LdapGroupCache(TimeSpan.FromMinutes(5), capacity: 2, time);
        cache.Put("alice", ["sre"]);
        time.Advance(TimeSpan.FromMinutes(1));
        cache.Put("bob", ["engineering"]);
        Assert.Equal(["sre"], cache.Get("alice"));

        time.Advance(TimeSpan.FromMinutes(1));
        cache.Put("carol", ["drover-admins"]);
        Assert.Equal(2, cache.Count);
        Assert.Null(cache.Get("alice"));
        Assert.Equal(["engineering"], cache.Get("bob"));

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Null(cache.Get("bob"));
        Assert.Equal(["drover-admins"], cache.Get("carol"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(cache.Get("carol"));

        var off = new LdapGroupCache(TimeSpan.Zero, capacity: 10, time);
        off.Put("alice", ["sre"]);
        Assert.Null(off.Get("alice"));
    }
}
