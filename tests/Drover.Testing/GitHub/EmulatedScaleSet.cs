namespace Drover.Testing.GitHub;

/// <summary>A runner scale set held by the emulated Actions service.</summary>
public sealed class EmulatedScaleSet
{
    public required long Id { get; init; }

    public required string Name { get; set; }

    public required long RunnerGroupId { get; set; }

    /// <summary>The labels as GitHub stores them (the scale set's name first, then the extra ones).</summary>
    public required List<string> Labels { get; set; }

    /// <summary>The REST scope prefix of the configuration URL it was registered under (<c>/orgs/o</c>, <c>/repos/o/r</c>).</summary>
    public required string Scope { get; init; }

    /// <summary>The open message session, if any.</summary>
    public EmulatedScaleSetSession? Session { get; set; }

    /// <summary>Messages handed out and not yet acknowledged, by id.</summary>
    internal SortedDictionary<long, string> Unacknowledged { get; } = [];

    /// <summary>Job messages not yet packed into a message.</summary>
    internal List<System.Text.Json.Nodes.JsonObject> Pending { get; } = [];

    /// <summary>Signalled when a job message is queued.</summary>
    internal SemaphoreSlim Signal { get; } = new(0);

    internal long NextMessageId { get; set; } = 1;

    /// <summary>The last <c>X-ScaleSetMaxCapacity</c> a poll advertised.</summary>
    public int? MaxCapacity { get; set; }

    /// <summary>Every message id acknowledged, in order.</summary>
    public List<long> Acknowledged { get; } = [];

    /// <summary>Sessions created for this set, in order (owner names).</summary>
    public List<string> SessionOwners { get; } = [];
}

/// <summary>A scale set's message session.</summary>
public sealed class EmulatedScaleSetSession
{
    public required Guid Id { get; init; }

    public required string Owner { get; init; }

    public required string Token { get; set; }

    public required DateTimeOffset TokenExpiresAt { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Messages this session has been handed.</summary>
    internal HashSet<long> Delivered { get; } = [];

    /// <summary>Long polls of this session in flight.</summary>
    public int Polling { get; set; }
}
