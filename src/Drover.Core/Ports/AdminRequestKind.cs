namespace Drover.Core.Ports;

/// <summary>What an operator asked the control loop to do.</summary>
public enum AdminRequestKind
{
    /// <summary>Drain a pool: plan it as removed (idle runners deleted, busy ones finish) until it is resumed.</summary>
    Drain,

    /// <summary>Delete one runner at the next cycle.</summary>
    DeleteRunner,
}
