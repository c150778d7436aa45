namespace Drover.Core.Planning;

/// <summary>
/// Weighted max-min fair shares of a capacity, in whole runners. Each claimant is entitled to its weight's part of the
/// capacity; one that demands less gets its demand and what it leaves is lent to the others in proportion to their
/// weights (water-filling). The exact shares are rounded by largest remainder, so each claimant gets its exact share
/// rounded down or up (within one runner of it), never more than it demands, and together they get
/// <c>min(capacity, total demand)</c>: no capacity is left unallotted while some claimant's demand is unmet.
/// </summary>
internal static class FairShare
{
    /// <summary>
    /// The shares of <paramref name="capacity"/> for claimants with these <paramref name="weights"/> (each at least 1)
    /// and <paramref name="demands"/> (runners each could use; negative counts as 0). Ties in rounding go to the
    /// claimant listed first, so callers list claimants in a stable order (by name).
    /// </summary>
    public static int[] Allocate(int capacity, IReadOnlyList<int> weights, IReadOnlyList<int> demands)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(demands);
        if (weights.Count != demands.Count)
        {
            throw new ArgumentException($"{weights.Count} weights for {demands.Count} demands", nameof(demands));
        }

        var count = weights.Count;
        var shares = new int[count];
        var left = (long)Math.Max(0, capacity);
        long weightLeft = 0;
        for (var i = 0; i < count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(weights[i], 1, nameof(weights));
            weightLeft += weights[i];
        }

        // Claimants whose demand is within their share of what is left are served fully, smallest demand per weight first;
        // serving one can only raise the others' shares of the rest, so one pass in that order settles who is capped.
        var order = Enumerable.Range(0, count)
            .OrderBy(i => (decimal)Math.Max(0, demands[i]) / weights[i])
            .ThenBy(i => i)
            .ToArray();
        var uncapped = new List<int>(count);
        foreach (var i in order)
        {
            var demand = (long)Math.Max(0, demands[i]);
            if (uncapped.Count == 0 && demand * weightLeft <= left * weights[i])
            {
                shares[i] = (int)demand;
                left -= demand;
                weightLeft -= weights[i];
            }
            else
            {
                uncapped.Add(i);
            }
        }

        if (uncapped.Count == 0 || left == 0)
        {
            return shares;
        }

        // The rest share what is left by weight: weight × left / weightLeft each, rounded down, then the runners the
        // rounding left over to the largest remainders (all over the same denominator, so compared exactly).
        var remainders = new long[count];
        var given = 0L;
        foreach (var i in uncapped)
        {
            var exact = weights[i] * left;
            shares[i] = (int)(exact / weightLeft);
            remainders[i] = exact % weightLeft;
            given += shares[i];
        }

        foreach (var i in uncapped.OrderByDescending(i => remainders[i]).ThenBy(i => i).Take((int)(left - given)))
        {
            shares[i]++;
        }

        return shares;
    }

    /// <summary>
    /// The shares of <paramref name="capacity"/> by priority class: <paramref name="demandsByClass"/>[k][i] is what
    /// claimant i could use for jobs of class k (0 the highest). The capacity goes to the demand of class 0 first, shared
    /// by weight (<see cref="Allocate"/>) across claimants; what it leaves goes to class 1 the same way, and so on, so a
    /// lower class never takes what a higher class's demand could use. With one class this is <see cref="Allocate"/>.
    /// </summary>
    /// <returns>The shares by class then claimant, shaped like <paramref name="demandsByClass"/>.</returns>
    public static int[][] AllocateByClass(int capacity, IReadOnlyList<int> weights, IReadOnlyList<IReadOnlyList<int>> demandsByClass)
    {
        ArgumentNullException.ThrowIfNull(demandsByClass);
        var left = Math.Max(0, capacity);
        var result = new int[demandsByClass.Count][];
        for (var k = 0; k < demandsByClass.Count; k++)
        {
            result[k] = Allocate(left, weights, demandsByClass[k]);
            left -= result[k].Sum();
        }

        return result;
    }
}
