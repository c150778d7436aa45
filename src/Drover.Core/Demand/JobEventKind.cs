namespace Drover.Core.Demand;

public enum JobEventKind
{
    Queued,
    Started,
    Completed,
    Cancelled,
}
