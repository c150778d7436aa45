namespace Drover.Cli;

/// <summary>A state file that cannot be read; the message names the file, line, column and JSON path.</summary>
internal sealed class StateFileException : Exception
{
    public StateFileException(string message)
        : base(message)
    {
    }

    public StateFileException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
