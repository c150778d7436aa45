using CsCheck;
using Drover.Core.Demand;

namespace Drover.Core.Tests.Demand;

public sealed class ArrivalHistoryPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Arrivals_MatchACountOfTheRecordedInstants()
    {
        var gen = Gen.Select(Gen.Int[0, 200_000].Array[1, 300], Gen.Int[0, 200_000], Gen.Int[1, 7_200], (offsets, from, length) => (offsets, from, length));
        gen.Sample(sample =>
        {
            var (offsets, from, length) = sample;
            Array.Sort(offsets);
            var history = new ArrivalHistory();
            foreach (var offset in offsets)
            {
                history.Record("p", T0.AddSeconds(offset));
            }

            var latest = offsets[^1];
            var start = latest - 3_600 + 1 + (from % 3_600);
            var exact = offsets.Count(o => o >= start && o < start + length);
            Assert.Equal(exact, history.Arrivals("p", T0.AddSeconds(start), T0.AddSeconds(start + length)));

            var hourFrom = (from / 3_600) * 3_600;
            var hourTo = hourFrom + (((length % 48) + 1) * 3_600);
            var oldestHour = ((latest / 3_600) - (5 * 7 * 24) + 1) * 3_600;
            if (hourFrom >= oldestHour && hourTo <= ((latest / 3_600) + 1) * 3_600 && hourFrom - 1 < latest - 3_600)
            {
                Assert.Equal(offsets.Count(o => o >= hourFrom && o < hourTo), history.Arrivals("p", T0.AddSeconds(hourFrom), T0.AddSeconds(hourTo)));
            }
        }, iter: 2_000);
    }
}
