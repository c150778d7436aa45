using System.Globalization;
using Drover.Core.Demand;

namespace Drover.Simulation.Engine;

/// <summary>
/// Carries the forge's job events to Drover like webhooks do: each may be late (uniform delay), lost, or delivered
/// twice under the same delivery id. Draws from the run's random only for the effects that are switched on.
/// </summary>
internal sealed class DeliveryChannel(EventQueue queue, Random random, SimulationOptions options)
{
    private long _deliveries;

    public int Lost { get; private set; }

    public int Duplicated { get; private set; }

    /// <summary>Sends <paramref name="e"/> (about trace job <paramref name="job"/>) at <paramref name="now"/>.</summary>
    public void Send(JobEvent e, int job, long now)
    {
        if (options.DeliveryLossProbability > 0 && random.NextDouble() < options.DeliveryLossProbability)
        {
            Lost++;
            return;
        }

        var delivery = e with { DeliveryId = "d" + (++_deliveries).ToString(CultureInfo.InvariantCulture) };
        queue.Schedule(now + Delay(), new SimEvent(SimEventKind.Delivery, job, Delivery: delivery));
        if (options.DeliveryDuplicationProbability > 0 && random.NextDouble() < options.DeliveryDuplicationProbability)
        {
            Duplicated++;
            queue.Schedule(now + Delay(), new SimEvent(SimEventKind.Delivery, job, Delivery: delivery));
        }
    }

    private long Delay() =>
        options.MaxDeliveryDelay > TimeSpan.Zero ? (long)(random.NextDouble() * options.MaxDeliveryDelay.Ticks) : 0;
}
