using System.Text.Json;

namespace DaprHarness.Bindings.S3;

/// <summary>
/// The <c>list</c> request data <c>{"maxResults":…,"prefix":…,"marker":…,"delimiter":…}</c>, decoded as Go's
/// encoding/json decodes it into the binding's listPayload struct: keys match case-insensitively (an exact match
/// wins), unknown keys and JSON null are ignored, a wrong JSON type is an error, empty data means all defaults.
/// </summary>
internal sealed record ListPayload(int MaxResults, string Prefix, string Marker, string Delimiter)
{
    private const string ErrorPrefix = "s3 binding (List Operation) - unable to parse Data property - ";

    private static readonly string[] Fields = ["marker", "prefix", "maxResults", "delimiter"];

    public static ListPayload Parse(byte[] data)
    {
        var payload = new ListPayload(0, "", "", "");
        if (data.Length == 0)
        {
            return payload;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException e)
        {
            throw new BindingException(ErrorPrefix + $"invalid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return payload;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new BindingException(ErrorPrefix + $"json: cannot unmarshal {GoKind(root)} into Go value of type s3.listPayload");
            }

            foreach (var property in root.EnumerateObject())
            {
                var field = Fields.FirstOrDefault(f => f == property.Name)
                    ?? Fields.FirstOrDefault(f => string.Equals(f, property.Name, StringComparison.OrdinalIgnoreCase));
                if (field is null || property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                payload = field switch
                {
                    "maxResults" => payload with { MaxResults = Int32(property.Value) },
                    "prefix" => payload with { Prefix = Text(property.Value, field) },
                    "marker" => payload with { Marker = Text(property.Value, field) },
                    _ => payload with { Delimiter = Text(property.Value, field) },
                };
            }
        }

        return payload;
    }

    private static int Int32(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Mismatch(value, "maxResults", "int32");

    private static string Text(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Mismatch(value, field, "string");

    private static BindingException Mismatch(JsonElement value, string field, string goType)
    {
        var what = value.ValueKind == JsonValueKind.Number ? $"number {value.GetRawText()}" : GoKind(value);
        return new BindingException(ErrorPrefix + $"json: cannot unmarshal {what} into Go struct field listPayload.{field} of type {goType}");
    }

    private static string GoKind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };
}
