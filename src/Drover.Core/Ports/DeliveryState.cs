namespace Drover.Core.Ports;

/// <summary>Which stored webhook deliveries to list (see <see cref="IStateStore.ListDeliveriesAsync"/>).</summary>
public enum DeliveryState
{
    /// <summary>Not processed and not quarantined: new, or waiting for a retry after a failed interpretation.</summary>
    Waiting,

    /// <summary>Given up on after failed interpretations, or unreadable; kept with the reason.</summary>
    Quarantined,
}
