namespace Drover.Core.Ports;

/// <summary>A store cannot be opened or cannot do what was asked (bad location, newer schema, refused import).</summary>
public class StateStoreException : Exception
{
    public StateStoreException()
    {
    }

    public StateStoreException(string message)
        : base(message)
    {
    }

    public StateStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
