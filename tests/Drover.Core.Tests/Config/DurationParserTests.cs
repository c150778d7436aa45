using Drover.Core.Config;

namespace Drover.Core.Tests.Config;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    [InlineData("1d2h3m4s", 93784)]
    [InlineData("0s", 0)]
    [InlineData("90m", 5400)]
    public void TryParse_ValidText_ReturnsDuration(string text, int seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("5 m")]
    [InlineData("5min")]
    [InlineData("1m1h")]
    [InlineData("1m1m")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    [InlineData("5M")]
    [InlineData("9999999s")]
    [InlineData(" 5m")]
    public void TryParse_Garbage_ReturnsFalse(string? text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(30, "30s")]
    [InlineData(5400, "1h30m")]
    [InlineData(93784, "1d2h3m4s")]
    public void Format_Duration_ReadsBackTheSame(int seconds, string expected)
    {
        var text = DurationParser.Format(TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, text);
        Assert.True(DurationParser.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}
