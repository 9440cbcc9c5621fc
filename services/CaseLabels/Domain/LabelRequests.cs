using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Json.Schema;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Errors;

namespace CaseLabels.Domain;

/// <summary>
/// Reads request bodies: strict JSON (UTF-8, no comments or trailing commas, bounded depth) and, per assertion, the
/// assertion schema. Anything that fails is a bad request (400) and nothing is written.
/// </summary>
public static class LabelRequests
{
    public const int MaxDepth = 32;

    private static readonly EvaluationOptions ListOutput = new() { OutputFormat = OutputFormat.List };

    /// <summary>The parsed document (the caller disposes it), or why the body is not JSON.</summary>
    /// <remarks>I-JSON: a member named twice would let the schema and the reader see different values, so it is a 400.</remarks>
    public static bool TryParseJson(ReadOnlyMemory<byte> body, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error) =>
        JsonRequestBody.TryParse(body, MaxDepth, allowDuplicateMembers: false, out document, out error);

    /// <summary>One assertion checked against <paramref name="schema"/> and read, or the schema's complaints.</summary>
    public static bool TryRead(JsonElement element, JsonSchema schema, [NotNullWhen(true)] out LabelAssertion? assertion, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(schema);
        assertion = null;
        var result = schema.Evaluate(element, ListOutput);
        if (!result.IsValid)
        {
            var problems = (result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
                .Take(10);
            error = "The label assertion breaks label_assertion.v0: " + string.Join("; ", problems);
            return false;
        }

        try
        {
            assertion = element.Deserialize<LabelAssertion>(PlatformJson.Options)
                ?? throw new JsonException("The assertion is JSON null.");
            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            // The schema admits only what the record reads; this is a timestamp that matches the pattern but is no real instant.
            error = $"The label assertion cannot be read: {exception.Message}";
            return false;
        }
    }
}
