namespace Drover.Core.Config;

/// <summary>A YAML scalar. <see cref="IsPlain"/> is false for quoted and block scalars, which are always strings.</summary>
internal sealed class ConfigScalar : ConfigNode
{
    public ConfigScalar(string value, bool isPlain, int line, int column)
        : base(line, column)
    {
        Value = value;
        IsPlain = isPlain;
    }

    public string Value { get; }

    public bool IsPlain { get; }

    /// <summary>True for an empty value, <c>~</c> or <c>null</c> written without quotes.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe()
    {
        if (IsNull)
        {
            return "an empty value";
        }

        if (IsPlain && decimal.TryParse(Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return "a number";
        }

        return IsPlain && Value is "true" or "false" ? "a boolean" : "a string";
    }
}
