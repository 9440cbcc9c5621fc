namespace DaprHarness.Bindings;

/// <summary>An error a binding reports for one invocation; its message is the component's error text.</summary>
public sealed class BindingException : Exception
{
    public BindingException(string message) : base(message)
    {
    }

    public BindingException(string message, Exception inner) : base(message, inner)
    {
    }
}
