using System.Security.Cryptography;

namespace Drover.Server.Hosting;

/// <summary>
/// The SHA-256 of a config file's content, read through any symlinks, remembered between calls: whether the content
/// differs from what was seen last. A missing or unreadable file is a content of its own (so its disappearance, and
/// its return, are changes).
/// </summary>
internal sealed class ConfigFileFingerprint(string path)
{
    private string? _last;

    /// <summary>True when the content differs from the last call's (always on the first); remembers the new content.</summary>
    public bool Changed()
    {
        var now = Read();
        if (string.Equals(now, _last, StringComparison.Ordinal))
        {
            return false;
        }

        _last = now;
        return true;
    }

    private string Read()
    {
        try
        {
            return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable: " + e.GetType().Name;
        }
    }
}
