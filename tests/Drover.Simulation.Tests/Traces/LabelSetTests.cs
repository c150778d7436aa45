using Drover.Core.Traces;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

public sealed class LabelSetTests
{
    [Fact]
    public void Create_UnorderedDuplicatedLabels_IsSortedAndDistinct()
    {
        var set = LabelSet.Create(["linux", " gpu ", "linux", ""]);

        Assert.Equal(["gpu", "linux"], set.Labels);
        Assert.Equal("gpu;linux", set.Text);
        Assert.True(set.Contains("gpu"));
        Assert.False(set.Contains("windows"));
    }

    [Fact]
    public void Equals_SameLabelsInAnotherOrder_IsEqual()
    {
        Assert.Equal(LabelSet.Parse("linux;gpu"), LabelSet.Parse("gpu;linux"));
        Assert.NotEqual(LabelSet.Parse("linux"), LabelSet.Parse("gpu;linux"));
    }

    [Fact]
    public void Parse_EmptyText_IsEmptySet()
    {
        Assert.Same(LabelSet.Empty, LabelSet.Parse(""));
        Assert.Equal(0, LabelSet.Empty.Count);
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("a\"b")]
    public void Create_LabelWithCsvSyntax_Throws(string label)
    {
        Assert.Throws<ArgumentException>(() => LabelSet.Create([label]));
    }

    [Fact]
    public void Intern_EqualSetsFromTextAndList_ReturnsOneInstance()
    {
        var interner = new LabelSetInterner();

        var fromText = interner.Intern("linux;gpu".AsSpan());
        var fromOtherText = interner.Intern("gpu;linux".AsSpan());
        var fromList = interner.Intern(["gpu", "linux"]);

        Assert.Same(fromText, fromOtherText);
        Assert.Same(fromText, fromList);
        Assert.Single(interner.Sets);
    }

    [Fact]
    public void InternScope_SameText_ReturnsOneInstanceAndBlankIsNull()
    {
        var interner = new LabelSetInterner();

        var a = interner.InternScope("org/repo".AsSpan());
        var b = interner.InternScope(" org/repo ".AsSpan());

        Assert.Same(a, b);
        Assert.Null(interner.InternScope("  ".AsSpan()));
    }
}
