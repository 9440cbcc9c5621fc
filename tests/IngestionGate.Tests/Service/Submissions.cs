using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using IngestionGate.Domain;
using Platform.Substrate.BuildingBlocks;
using Platform.Substrate.Pinning;
using Platform.Testing;

namespace IngestionGate.Tests.Service;

/// <summary>One HTTP answer from IG: status, headers and the JSON body (problem details or a result).</summary>
internal sealed record Answer(HttpStatusCode Status, HttpResponseHeaders Headers, JsonElement Body, string? ContentType)
{
    public string Decision => Body.GetProperty("decision").GetString()!;

    public string ReceiptId => Body.GetProperty("receipt_id").GetString()!;

    public string[] ReasonCodes => [.. Body.GetProperty("reason_codes").EnumerateArray().Select(c => c.GetString()!)];

    public JsonElement EbRef => Body.GetProperty("eb_ref");

    public string ProblemCode => Body.GetProperty("code").GetString()!;

    public JsonElement[] Results => [.. Body.GetProperty("results").EnumerateArray()];

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>Events with ids no other test (or earlier run) uses, and the HTTP calls that submit them.</summary>
internal static class Submissions
{
    public const string ReceiptSchema = "ig/receipt.v1.schema.json";
    public const string QuarantineRecordSchema = "ig/quarantine_record.v1.schema.json";
    public const string GovernanceFactSchema = "governance_fact.v0.schema.json";

    /// <summary>A platform_run_id nobody used: a random second between 2001 and 2099.</summary>
    public static string FreshRunId() =>
        PlatformRunId.Mint(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Random.Shared.NextInt64(0, 98L * 365 * 24 * 3600)));

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A valid transaction of <paramref name="runId"/> on flow <paramref name="flowId"/> (its partition key).</summary>
    public static JsonObject Transaction(string runId, string eventId, string flowId, double amount = 42.5)
    {
        var envelope = Envelopes.Transaction(eventId);
        envelope["platform_run_id"] = runId;
        envelope["payload"]!["flow_id"] = flowId;
        envelope["payload"]!["transaction_id"] = "txn-" + eventId;
        envelope["payload"]!["amount"] = amount;
        return envelope;
    }

    /// <summary>The partition key IG derives for a transaction on <paramref name="flowId"/> (traffic_v0: payload.flow_id first).</summary>
    public static string PartitionKey(string flowId) => Digests.Of(flowId);

    public static string DedupeKey(string runId, string eventId, string eventClass = "traffic") => EventIds.DedupeKey(runId, eventClass, eventId);

    public static Task<Answer> PostEventAsync(this HttpClient client, JsonNode envelope, string? policyRev = null) =>
        client.PostAsync("/v1/events", envelope.Bytes(), "application/json", policyRev);

    public static Task<Answer> PostBatchAsync(this HttpClient client, IEnumerable<JsonNode> envelopes, string? policyRev = null) =>
        client.PostAsync("/v1/events:batch", new JsonArray([.. envelopes.Select(e => e.DeepClone())]).Bytes(), "application/json", policyRev);

    public static async Task<Answer> PostAsync(this HttpClient client, string path, byte[] body, string? contentType, string? policyRev = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (policyRev is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Policy-Rev", policyRev);
        }

        return await SendAsync(client, request);
    }

    public static async Task<Answer> GetJsonAsync(this HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(client, request);
    }

    /// <summary>The stored receipt through <c>GET /v1/receipts/{id}</c>, checked against its JSON Schema.</summary>
    public static async Task<JsonElement> ReceiptAsync(this HttpClient client, string receiptId)
    {
        var answer = await client.GetJsonAsync("/v1/receipts/" + receiptId);
        Assert.True(answer.Status == HttpStatusCode.OK, $"GET receipt {receiptId}: {answer}");
        AssertConforms(ReceiptSchema, answer.Body);
        return answer.Body;
    }

    public static void AssertConforms(string schemaFile, JsonElement instance)
    {
        var errors = SchemaContract.Errors(schemaFile, instance);
        Assert.True(errors.Count == 0, $"{schemaFile}: {string.Join("; ", errors)} in {instance}");
    }

    public static JsonElement ParseJson(byte[] bytes) => JsonSerializer.Deserialize<JsonElement>(bytes);

    public static T Read<T>(JsonElement element) =>
        element.Deserialize<T>(PlatformJson.Options) ?? throw new InvalidDataException($"JSON null where a {typeof(T).Name} was expected");

    private static async Task<Answer> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var body = bytes.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(bytes);
        return new Answer(response.StatusCode, response.Headers, body, response.Content.Headers.ContentType?.MediaType);
    }
}
