using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Cli;

/// <summary>
/// The observed-state file read by <c>drover plan --state</c> (documented in docs/state-file.md): runners,
/// provider instances, forge runners, breakers, counters and the job events that build the ledger.
/// </summary>
internal sealed record StateFile
{
    public DateTimeOffset? ObservedAt { get; init; }

    public IReadOnlyList<Runner> Runners { get; init; } = [];

    public IReadOnlyList<ProviderInstance> Instances { get; init; } = [];

    public IReadOnlyList<ForgeRunner> ForgeRunners { get; init; } = [];

    public IReadOnlyDictionary<string, CircuitBreakerState> Breakers { get; init; } = new Dictionary<string, CircuitBreakerState>();

    public IReadOnlyDictionary<string, long> NextOrdinals { get; init; } = new Dictionary<string, long>();

    public IReadOnlyDictionary<string, decimal> PoolSpend { get; init; } = new Dictionary<string, decimal>();

    public IReadOnlyDictionary<string, decimal> TeamSpend { get; init; } = new Dictionary<string, decimal>();

    public IReadOnlyList<JobEvent> JobEvents { get; init; } = [];

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
        WriteIndented = true,
        RespectRequiredConstructorParameters = true,
    };

    public ObservedState ToObservedState() => new()
    {
        Runners = Runners,
        Instances = Instances,
        ForgeRunners = ForgeRunners,
        Breakers = Breakers,
        NextOrdinals = NextOrdinals,
        PoolSpend = PoolSpend,
        TeamSpend = TeamSpend,
    };

    /// <summary>Reads a state file; a malformed one throws <see cref="StateFileException"/> naming file, line, column and JSON path.</summary>
    public static StateFile Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return JsonSerializer.Deserialize<StateFile>(bytes, Options) ?? throw new StateFileException($"{path}: the file is empty (null)");
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            var message = e.Message.Split(" Path:", 2)[0];
            throw new StateFileException($"{path}:{line}:{column}: {e.Path ?? "$"}: {message}", e);
        }
    }
}
