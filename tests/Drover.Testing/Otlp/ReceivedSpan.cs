namespace Drover.Testing.Otlp;

/// <summary>A span as an OTLP request carried it: ids in lower-case hex (parent empty for a root), times in Unix nanoseconds.</summary>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    ulong StartUnixNano,
    ulong EndUnixNano,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> Events,
    IReadOnlyDictionary<string, string> Resource);
