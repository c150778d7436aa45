using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using Drover.Core.Adapters;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Auth;

/// <summary>
/// The LDAP directory single sign-on asks for a user's groups (System.DirectoryServices.Protocols over the system's
/// libldap): each lookup opens a connection (StartTLS when asked), binds as the configured DN, finds the one user entry
/// the filter names and reads its groups (its <c>memberOf</c> values, or a group search). A group counts for the
/// <c>--oidc-role</c> rules by its DN and by its name (the <c>cn</c> of a found group, the first RDN's value of a
/// <c>memberOf</c> DN). Lookups for API tokens go through a short cache; a sign-in always asks. Health comes from binds
/// that happened: a probe bind every health check and every lookup.
/// </summary>
internal sealed class LdapDirectory
{
    /// <summary>The component kind in <c>GET /api/v1/health</c>.</summary>
    public const string Kind = "directory";

    /// <summary>A last check older than this makes the directory degraded (nobody is checking): 2 minutes.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private const int InvalidCredentials = 49;
    private const int ServerDown = 81;
    private const int TimeLimitExceeded = 85;

    private readonly LdapOptions _options;
    private readonly string? _password;
    private readonly TimeProvider _time;
    private readonly LdapGroupCache _cache;
    private readonly Lock _sync = new();
    private DateTimeOffset? _checkedAt;
    private DateTimeOffset? _lastSuccess;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private bool _up;

    public LdapDirectory(LdapOptions options, string? password, TimeProvider time)
    {
        _options = options;
        _password = password;
        _time = time;
        _cache = new LdapGroupCache(options.CacheTtl, options.CacheSize, time);
    }

    /// <summary>Where the directory logs (set once the host's loggers exist; nothing before).</summary>
    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The options the directory was built with.</summary>
    public LdapOptions Options => _options;

    /// <summary>The claim whose value is looked up.</summary>
    public string UserClaim => _options.UserClaim;

    /// <summary>
    /// The role-mapping values of <paramref name="user"/>'s groups (each group's DN and name); empty for a user the directory
    /// does not know, or one the filter finds more than once. <paramref name="fresh"/> skips the cache (a sign-in).
    /// </summary>
    /// <exception cref="LdapUnavailableException">The directory cannot be asked; the message says why, never the password.</exception>
    public async Task<IReadOnlyList<string>> GroupsAsync(string user, bool fresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!fresh && _cache.Get(user) is { } cached)
        {
            return cached;
        }

        var groups = await RunAsync(connection => Lookup(connection, user), cancellationToken).ConfigureAwait(false);
        _cache.Put(user, groups);
        return groups;
    }

    /// <summary>Binds once to check the directory and the bind DN's password; returns (and records) the health.</summary>
    public async Task<ComponentHealth> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(_ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (LdapUnavailableException)
        {
            // Recorded by RunAsync; the health says why.
        }

        return Health();
    }

    /// <summary>
    /// The start-up check: one bind. A bind the directory refuses (wrong DN or password) is a configuration error and
    /// stops <c>serve</c>; an unreachable directory is shown in the health, and <c>serve</c> starts (nobody gets a role
    /// from the directory until it answers). Returns why the directory cannot be used now, or null when it bound.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">The directory refused the bind.</exception>
    public async Task<string?> CheckAtStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(_ => true, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (LdapUnavailableException e) when (e.InnerException is LdapException { ErrorCode: InvalidCredentials })
        {
            throw new AdapterConfigurationException($"single sign-on: {e.Message}", e);
        }
        catch (LdapUnavailableException e)
        {
            return e.Message;
        }
    }

    /// <summary>The directory's health as last checked; cheap, never calls out.</summary>
    public ComponentHealth Health()
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            var details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["url"] = $"{_options.Url.Scheme}://{_options.Name}",
                ["tls"] = _options.Ldaps ? "ldaps" : _options.StartTls ? "starttls" : "none",
                ["groups"] = _options.GroupSearch ? "group search" : "memberOf",
            };
            if (_checkedAt is not { } at)
            {
                details[HealthRecorder.ReasonKey] = "not checked yet";
                details[HealthRecorder.CheckedKey] = "never";
                return new ComponentHealth(Kind, _options.Name, ComponentStatus.Degraded) { Details = details };
            }

            details["checkedAt"] = at.ToString("O", CultureInfo.InvariantCulture);
            var status = _up ? ComponentStatus.Ok : ComponentStatus.Down;
            if (!_up)
            {
                details[HealthRecorder.ReasonKey] = _lastError!;
            }
            else if (now - at > StaleAfter)
            {
                status = ComponentStatus.Degraded;
                details[HealthRecorder.ReasonKey] = $"the last bind was {HealthRecorder.Ago(now - at)} ago";
            }

            var recentError = _lastErrorAt is { } errorAt && (!_up || now - errorAt <= HealthRecorder.RecentWindow);
            return new ComponentHealth(Kind, _options.Name, status)
            {
                LastSuccess = _lastSuccess,
                LastError = recentError ? _lastError : null,
                LastErrorAt = recentError ? _lastErrorAt : null,
                Details = details,
            };
        }
    }

    /// <summary>Connects, binds and runs <paramref name="work"/> on a thread-pool thread, bounded by the timeout; records the outcome.</summary>
    private async Task<T> RunAsync<T>(Func<LdapConnection, T> work, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Task.Run(
                () =>
                {
                    using var connection = Connect();
                    return work(connection);
                },
                cancellationToken).WaitAsync(_options.Timeout + TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            Record(null);
            return result;
        }
        catch (Exception e) when (e is LdapException or DirectoryOperationException or TimeoutException or InvalidOperationException
            or DllNotFoundException or TypeInitializationException && !cancellationToken.IsCancellationRequested)
        {
            var reason = Reason(e);
            Record(reason);
            AuthLog.DirectoryCallFailed(Logger, _options.Name, reason);
            throw new LdapUnavailableException(reason, e);
        }
    }

    private LdapConnection Connect()
    {
        var identifier = new LdapDirectoryIdentifier(_options.Url.Host, _options.Port, fullyQualifiedDnsHostName: false, connectionless: false);
        var connection = _options.BindDn is { } dn
            ? new LdapConnection(identifier, new NetworkCredential(dn, _password), AuthType.Basic)
            : new LdapConnection(identifier) { AuthType = AuthType.Anonymous };
        try
        {
            connection.Timeout = _options.Timeout;
            connection.SessionOptions.ProtocolVersion = 3;
            connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
            if (_options.Ldaps)
            {
                connection.SessionOptions.SecureSocketLayer = true;
            }

            if (_options.StartTls)
            {
                connection.SessionOptions.StartTransportLayerSecurity(null);
            }

            connection.Bind();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private List<string> Lookup(LdapConnection connection, string user)
    {
        var filter = LdapFilter.Render(_options.UserFilter, new Dictionary<string, string>(StringComparer.Ordinal) { ["user"] = user });
        var attributes = _options.GroupSearch ? new[] { "1.1" } : ["memberOf"];
        SearchResultEntryCollection entries;
        try
        {
            entries = ((SearchResponse)connection.SendRequest(new SearchRequest(_options.UserBase, filter, SearchScope.Subtree, attributes) { SizeLimit = 2 })).Entries;
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.SizeLimitExceeded)
        {
            AuthLog.DirectoryUserNotFound(Logger, user, "more than 2");
            return [];
        }

        if (entries.Count != 1)
        {
            AuthLog.DirectoryUserNotFound(Logger, user, entries.Count.ToString(CultureInfo.InvariantCulture));
            return [];
        }

        var entry = entries[0];
        var groups = new List<string>();
        if (!_options.GroupSearch)
        {
            foreach (var dn in Values(entry, "memberOf"))
            {
                Add(groups, dn, LdapFilter.FirstRdnValue(dn));
            }

            return groups;
        }

        var groupFilter = LdapFilter.Render(_options.GroupFilter, new Dictionary<string, string>(StringComparer.Ordinal) { ["dn"] = entry.DistinguishedName, ["user"] = user });
        var search = (SearchResponse)connection.SendRequest(new SearchRequest(_options.GroupBase, groupFilter, SearchScope.Subtree, "cn"));
        foreach (SearchResultEntry group in search.Entries)
        {
            Add(groups, group.DistinguishedName, null);
            foreach (var name in Values(group, "cn"))
            {
                Add(groups, name, null);
            }
        }

        return groups;
    }

    private static IEnumerable<string> Values(SearchResultEntry entry, string attribute) =>
        entry.Attributes.Contains(attribute)
            ? entry.Attributes[attribute].GetValues(typeof(string)).Cast<string>()
            : [];

    private static void Add(List<string> groups, string? first, string? second)
    {
        foreach (var value in new[] { first, second })
        {
            if (!string.IsNullOrEmpty(value) && !groups.Contains(value, StringComparer.Ordinal))
            {
                groups.Add(value);
            }
        }
    }

    private void Record(string? error)
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _checkedAt = now;
            _up = error is null;
            if (error is null)
            {
                _lastSuccess = now;
            }
            else
            {
                _lastError = error;
                _lastErrorAt = now;
            }
        }
    }

    /// <summary>Why a call failed, in Drover's words: the directory and the LDAP result, never the password.</summary>
    private string Reason(Exception e) => e switch
    {
        LdapException { ErrorCode: InvalidCredentials } =>
            $"the LDAP directory {_options.Name} refused the bind as '{_options.BindDn ?? "(anonymous)"}': invalid credentials (check --ldap-bind-dn and --ldap-bind-password)",
        LdapException { ErrorCode: ServerDown } => $"the LDAP directory {_options.Name} cannot be reached (server down or refusing connections)",
        LdapException { ErrorCode: TimeLimitExceeded } or TimeoutException => $"the LDAP directory {_options.Name} did not answer within {_options.Timeout.TotalSeconds:0.#} s",
        LdapException l => $"the LDAP directory {_options.Name} answered error {l.ErrorCode}: {l.Message}",
        DllNotFoundException or TypeInitializationException => "the LDAP client library libldap cannot be loaded (Debian package libldap-2.5-0)",
        DirectoryOperationException d => $"the LDAP directory {_options.Name} refused the search: {d.Response?.ResultCode.ToString() ?? d.Message}",
        _ => $"the LDAP directory {_options.Name} could not be used: {e.Message}",
    };
}
