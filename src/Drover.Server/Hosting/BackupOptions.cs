namespace Drover.Server.Hosting;

/// <summary>Scheduled backups of the state store.</summary>
public sealed record BackupOptions
{
    /// <summary>Where backup files go; null turns scheduled backups off.</summary>
    public string? Directory { get; init; }

    /// <summary>How often a backup is taken. Default 6 h.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(6);

    /// <summary>How many backup files are kept; older ones are deleted after each new one. Default 28 (a week at 6 h).</summary>
    public int Keep { get; init; } = 28;

    /// <summary>No scheduled backups.</summary>
    public static BackupOptions Off { get; } = new();
}
