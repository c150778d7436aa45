using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Drover.Testing.GitHub;

/// <summary>
/// Sends the emulator's <c>workflow_job</c> webhooks, in order, one at a time, signed as GitHub signs them
/// (<c>X-Hub-Signature-256</c>, <c>X-GitHub-Event</c>, <c>X-GitHub-Delivery</c>). A seeded share of deliveries can be
/// lost, sent twice under the same delivery id, or held back and sent after the next one, as happens with real
/// deliveries and redeliveries. The signature is
/// computed here, as GitHub documents it, not with the forge's own code, so the forge's check is tested against it.
/// </summary>
public sealed class EmulatorWebhooks : IAsyncDisposable
{
    /// <summary>The header GitHub signs deliveries in.</summary>
    public const string SignatureHeader = "X-Hub-Signature-256";

    private readonly Channel<(string Action, JsonObject Payload)> _queue = Channel.CreateUnbounded<(string, JsonObject)>();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Random _random;
    private readonly Task _worker;
    private readonly ConcurrentQueue<(string DeliveryId, string Action, int Status)> _sent = new();
    private int _dropped;
    private int _duplicated;
    private int _reordered;
    private int _pending;
    private long _delivery;

    internal EmulatorWebhooks(int seed)
    {
        _random = new Random(seed);
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Where deliveries go; null: none are sent.</summary>
    public Uri? Target { get; set; }

    /// <summary>The webhook secret they are signed with.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Share of deliveries lost (0–1).</summary>
    public double DropRate { get; set; }

    /// <summary>Share of deliveries sent twice (0–1).</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Share of deliveries (0–1) held back and sent after the next one (reordered).</summary>
    public double ReorderRate { get; set; }

    /// <summary>Deliveries sent: id, action and the status the receiver answered.</summary>
    public IReadOnlyList<(string DeliveryId, string Action, int Status)> Sent => [.. _sent];

    /// <summary>Deliveries lost on purpose (<see cref="DropRate"/>).</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Deliveries held back and sent after a later one (<see cref="ReorderRate"/>).</summary>
    public int Reordered => Volatile.Read(ref _reordered);

    /// <summary>Deliveries sent twice on purpose (<see cref="DuplicateRate"/>).</summary>
    public int Duplicated => Volatile.Read(ref _duplicated);

    /// <summary>Deliveries not yet sent.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker;
        _http.Dispose();
    }

    internal void Send(string action, JsonObject payload)
    {
        Interlocked.Increment(ref _pending);
        _queue.Writer.TryWrite((action, payload));
    }

    private async Task WorkAsync()
    {
        (string Id, string Action, byte[] Body, int Copies)? held = null;
        await foreach (var (action, payload) in _queue.Reader.ReadAllAsync())
        {
            try
            {
                if (Target is not { } target)
                {
                    continue;
                }

                var id = $"emu-{Interlocked.Increment(ref _delivery):D6}";
                double roll, reorder;
                lock (_random)
                {
                    roll = _random.NextDouble();
                    reorder = _random.NextDouble();
                }

                if (roll < DropRate)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                var copies = roll < DropRate + DuplicateRate ? 2 : 1;
                if (copies == 2)
                {
                    Interlocked.Increment(ref _duplicated);
                }

                var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
                if (held is null && reorder < ReorderRate)
                {
                    // Held back: it goes out after the next delivery (or when the queue runs dry).
                    Interlocked.Increment(ref _reordered);
                    held = (id, action, body, copies);
                    continue;
                }

                await SendCopiesAsync(target, id, action, body, copies);
                if (held is { } late)
                {
                    held = null;
                    await SendCopiesAsync(target, late.Id, late.Action, late.Body, late.Copies);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
                if (held is { } late && _queue.Reader.Count == 0 && Target is { } target)
                {
                    held = null;
                    await SendCopiesAsync(target, late.Id, late.Action, late.Body, late.Copies);
                }
            }
        }
    }

    private async Task SendCopiesAsync(Uri target, string id, string action, byte[] body, int copies)
    {
        for (var copy = 0; copy < copies; copy++)
        {
            _sent.Enqueue((id, action, await PostAsync(target, id, body)));
        }
    }

    /// <summary>Posts one signed delivery; returns the status (0 when the receiver could not be reached).</summary>
    public async Task<int> PostAsync(Uri target, string deliveryId, byte[] body, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "workflow_job");
        request.Headers.Add("X-GitHub-Delivery", deliveryId);
        request.Headers.Add("X-GitHub-Hook-ID", "1");
        request.Headers.Add(SignatureHeader, signature ?? Sign(Secret, body));
        request.Headers.UserAgent.ParseAdd("GitHub-Hookshot/emulator");

        // A large body waits for the server's go-ahead, so a refusal (413) is read instead of a reset connection.
        request.Headers.ExpectContinue = body.Length > 64 * 1024;
        try
        {
            using var response = await _http.SendAsync(request);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>GitHub's signature of a delivery: <c>sha256=</c> and the lower-case hex HMAC-SHA256 of the raw body with the secret.</summary>
    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
