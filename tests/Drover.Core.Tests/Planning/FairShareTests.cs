using CsCheck;
using Drover.Core.Planning;

namespace Drover.Core.Tests.Planning;

/// <summary>Weighted max-min fair shares of a capacity in whole runners (<see cref="FairShare"/>).</summary>
public sealed class FairShareTests
{
    private sealed record Case(int Capacity, int[] Weights, int[] Demands)
    {
        public override string ToString() => $"capacity {Capacity}, weights [{string.Join(", ", Weights)}], demands [{string.Join(", ", Demands)}]";
    }

    private static readonly Gen<Case> CaseGen =
        Gen.Int[1, 6].SelectMany(n => Gen.Select(Gen.Int[0, 200], Gen.Int[1, 9].Array[n], Gen.Int[0, 250].Array[n], (c, w, d) => new Case(c, w, d)));

    [Theory]
    [InlineData(9, new[] { 2, 1 }, new[] { 50, 50 }, new[] { 6, 3 })]
    [InlineData(8, new[] { 3, 1 }, new[] { 50, 50 }, new[] { 6, 2 })]
    [InlineData(8, new[] { 3, 1 }, new[] { 2, 50 }, new[] { 2, 6 })]
    [InlineData(8, new[] { 3, 1 }, new[] { 50, 0 }, new[] { 8, 0 })]
    [InlineData(10, new[] { 1, 1, 1 }, new[] { 50, 50, 50 }, new[] { 4, 3, 3 })]
    [InlineData(10, new[] { 1, 1, 1 }, new[] { 1, 2, 3 }, new[] { 1, 2, 3 })]
    [InlineData(0, new[] { 1, 1 }, new[] { 5, 5 }, new[] { 0, 0 })]
    public void Allocate_Examples(int capacity, int[] weights, int[] demands, int[] shares) =>
        Assert.Equal(shares, FairShare.Allocate(capacity, weights, demands));

    [Fact]
    public void Allocate_AllDemandTheWholeCapacity_EachWithinOneRunnerOfItsWeightedShare()
    {
        CaseGen.Sample(c =>
        {
            var demands = c.Weights.Select(_ => c.Capacity + 1).ToArray();
            var shares = FairShare.Allocate(c.Capacity, c.Weights, demands);
            var total = c.Weights.Sum();
            Assert.Equal(c.Capacity, shares.Sum());
            for (var i = 0; i < shares.Length; i++)
            {
                var exact = (double)c.Capacity * c.Weights[i] / total;
                Assert.True(Math.Abs(shares[i] - exact) < 1, $"{c}: claimant {i} gets {shares[i]}, its weighted share is {exact:0.###}");
            }
        }, iter: 2_000);
    }

    [Fact]
    public void Allocate_AnyDemands_NoCapacityIdleWhileDemandIsUnmet_NoneOverItsDemand_NoneShortBelowItsShare()
    {
        CaseGen.Sample(c =>
        {
            var shares = FairShare.Allocate(c.Capacity, c.Weights, c.Demands);
            Assert.Equal(Math.Min(c.Capacity, c.Demands.Sum()), shares.Sum());
            for (var i = 0; i < shares.Length; i++)
            {
                Assert.InRange(shares[i], 0, c.Demands[i]);
                if (shares[i] < c.Demands[i])
                {
                    // Left short of its demand, a claimant still has at least its weighted share of the whole capacity
                    // (rounded down): what others lend only adds to it.
                    var guaranteed = (long)c.Capacity * c.Weights[i] / c.Weights.Sum();
                    Assert.True(shares[i] >= guaranteed, $"{c}: claimant {i} short of its demand at {shares[i]}, below its share {guaranteed}");
                }
            }
        }, iter: 2_000);
    }
}
