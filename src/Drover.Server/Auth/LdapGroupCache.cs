namespace Drover.Server.Auth;

/// <summary>
/// The groups looked up per user for API bearer tokens, each kept for a time to live on the injected clock and at most
/// <c>capacity</c> users (the entry that expires first makes room). Failed lookups are not kept. Thread-safe.
/// </summary>
internal sealed class LdapGroupCache(TimeSpan ttl, int capacity, TimeProvider time)
{
    private readonly Dictionary<string, (IReadOnlyList<string> Groups, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    /// <summary>How many users are cached now (expired entries included until they are evicted).</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The user's cached groups while they are fresh, else null.</summary>
    public IReadOnlyList<string>? Get(string user)
    {
        lock (_sync)
        {
            if (!_entries.TryGetValue(user, out var entry))
            {
                return null;
            }

            if (entry.Expires > time.GetUtcNow())
            {
                return entry.Groups;
            }

            _entries.Remove(user);
            return null;
        }
    }

    /// <summary>Keeps the user's groups for the time to live (nothing with a time to live of 0).</summary>
    public void Put(string user, IReadOnlyList<string> groups)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (_sync)
        {
            if (!_entries.ContainsKey(user) && _entries.Count >= capacity)
            {
                foreach (var expired in _entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
                {
                    _entries.Remove(expired);
                }

                if (_entries.Count >= capacity)
                {
                    _entries.Remove(_entries.MinBy(e => e.Value.Expires).Key);
                }
            }

            _entries[user] = (groups, now + ttl);
        }
    }
}
