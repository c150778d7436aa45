using Drover.Core.Config;

namespace Drover.Core.Cost;

/// <summary>
/// Sends budget alerts to a budget's <c>notify</c> URL. <see cref="Enqueue"/> never blocks and never throws: the
/// sending (with retries) happens elsewhere, so the control loop is never held up by a slow receiver.
/// </summary>
public interface IBudgetNotifier
{
    /// <summary>Queues <paramref name="alert"/> for <paramref name="notify"/>.</summary>
    void Enqueue(BudgetNotify notify, BudgetAlert alert);
}
