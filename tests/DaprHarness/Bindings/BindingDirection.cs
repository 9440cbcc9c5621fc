using DaprHarness.Components;

namespace DaprHarness.Bindings;

/// <summary>
/// daprd's <c>direction</c> binding metadata: a comma-separated list of <c>input</c>/<c>output</c>, compared
/// case-insensitively after trimming. Unset means both: the output side is registered and the input side reads once
/// the app answers the OPTIONS probe. (dapr/dapr@release-1.17 pkg/runtime/processor/binding/binding.go
/// isBindingOfDirection; send.go isBindingOfExplicitDirection.)
/// </summary>
public sealed record BindingDirection(bool Explicit, bool Input, bool Output)
{
    public const string FieldName = "direction";

    public static BindingDirection From(ComponentMetadata metadata)
    {
        if (!metadata.Values.TryGetValue(FieldName, out var raw))
        {
            return new BindingDirection(false, true, true);
        }

        var parts = raw.Split(',').Select(p => p.Trim().ToLowerInvariant()).Where(p => p.Length > 0).ToList();
        if (parts.Count == 0 || parts.Any(p => p is not ("input" or "output")))
        {
            // daprd ignores unknown words, so such a binding is neither input nor output and fails to initialise
            // ("couldn't find binding"); the harness says why.
            throw metadata.Error(FieldName, $"'{raw}' must be input, output or \"input, output\"");
        }

        return new BindingDirection(true, parts.Contains("input"), parts.Contains("output"));
    }
}

/// <summary>A binding whose output side exists only when its <c>direction</c> allows it.</summary>
public interface IDirectionalBinding
{
    BindingDirection Direction { get; }
}
