using CsCheck;
using Drover.Core.Planning;

namespace Drover.Core.Tests.Planning;

/// <summary>Fair shares by priority class (<see cref="FairShare.AllocateByClass"/>): higher classes first, weights within a class.</summary>
public sealed class PriorityClassShareTests
{
    private sealed record Case(int Capacity, int[] Weights, int[][] Demands)
    {
        public override string ToString() =>
            $"capacity {Capacity}, weights [{string.Join(", ", Weights)}], demands by class [{string.Join("; ", Demands.Select(d => string.Join(", ", d)))}]";
    }

    private static readonly Gen<Case> CaseGen =
        Gen.Int[1, 5].SelectMany(n => Gen.Int[1, 4].SelectMany(k => Gen.Select(
            Gen.Int[0, 120],
            Gen.Int[1, 9].Array[n],
            Gen.Int[0, 80].Array[n].Array[k],
            (c, w, d) => new Case(c, w, d))));

    [Fact]
    public void AllocateByClass_HigherClassFirst_AcrossClaimants()
    {
        // web (weight 3) has pull-request jobs only, data (weight 1) default-branch jobs: data's class is served first.
        var shares = FairShare.AllocateByClass(8, [3, 1], [[0, 6], [20, 20]]);

        Assert.Equal([0, 6], shares[0]);
        Assert.Equal([2, 0], shares[1]);
    }

    [Fact]
    public void AllocateByClass_AnyDemands_ALowerClassGetsCapacityOnlyOnceEveryHigherClassDemandIsMet()
    {
        CaseGen.Sample(c =>
        {
            var shares = FairShare.AllocateByClass(c.Capacity, c.Weights, c.Demands);
            var left = c.Capacity;
            for (var k = 0; k < c.Demands.Length; k++)
            {
                var demand = c.Demands[k].Sum();
                var given = shares[k].Sum();

                // A class gets all it can use of what higher classes leave, never less: no lower class takes its room.
                Assert.True(given == Math.Min(left, demand), $"{c}: class {k} gets {given} of {demand} with {left} left");
                for (var i = 0; i < c.Weights.Length; i++)
                {
                    Assert.InRange(shares[k][i], 0, c.Demands[k][i]);
                }

                if (given < demand)
                {
                    // Capacity ran out in this class: every lower class gets nothing.
                    Assert.All(shares.Skip(k + 1), lower => Assert.Equal(0, lower.Sum()));
                }

                left -= given;
            }
        }, iter: 2_000);
    }

    [Fact]
    public void AllocateByClass_WithinAClass_TheWeightsHold()
    {
        CaseGen.Sample(c =>
        {
            var shares = FairShare.AllocateByClass(c.Capacity, c.Weights, c.Demands);
            var left = c.Capacity;
            for (var k = 0; k < c.Demands.Length; k++)
            {
                // Each class's shares are the weighted max-min shares of what higher classes left.
                Assert.Equal(FairShare.Allocate(left, c.Weights, c.Demands[k]), shares[k]);
                left -= shares[k].Sum();
            }
        }, iter: 1_000);
    }

    [Fact]
    public void AllocateByClass_OneClass_IsTheSameAsWithoutClasses()
    {
        CaseGen.Sample(c =>
        {
            var shares = FairShare.AllocateByClass(c.Capacity, c.Weights, [c.Demands[0]]);
            Assert.Equal(FairShare.Allocate(c.Capacity, c.Weights, c.Demands[0]), Assert.Single(shares));
        }, iter: 1_000);
    }
}
