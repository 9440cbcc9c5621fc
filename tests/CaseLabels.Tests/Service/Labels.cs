using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3;
using Platform.Substrate.Governance;
using Platform.Testing;

namespace CaseLabels.Tests.Service;

/// <summary>An HTTP answer: status, content type and the JSON body (undefined when there is none).</summary>
internal sealed record Answer(HttpStatusCode Status, string? ContentType, JsonElement Body)
{
    public string Str(string name) => Body.GetProperty(name).GetString()!;

    public override string ToString() => $"{(int)Status} {ContentType} {Body}";
}

/// <summary>Calls to cm's label API and reads of what it stored, for the service tests.</summary>
internal static class Labels
{
    private static readonly Lazy<AmazonS3Client> S3 = new(() => BackendEnvironment.Current.S3Client());

    public static Task<Answer> PostLabelAsync(this HttpClient client, JsonNode assertion, string? policyRev = null) =>
        client.PostRawAsync("v1/labels", Encoding.UTF8.GetBytes(assertion.ToJsonString()), "application/json", policyRev);

    public static Task<Answer> PostBatchAsync(this HttpClient client, IEnumerable<JsonNode> assertions) =>
        client.PostRawAsync("v1/labels:batch", Encoding.UTF8.GetBytes(new JsonArray([.. assertions.Select(a => a.DeepClone())]).ToJsonString()), "application/json");

    public static async Task<Answer> PostRawAsync(this HttpClient client, string path, byte[] body, string contentType, string? policyRev = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (policyRev is not null)
        {
            request.Headers.Add("X-Policy-Rev", policyRev);
        }

        return await SendAsync(client, request);
    }

    public static async Task<Answer> ReadAsync(this HttpClient client, string path, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        return await SendAsync(client, request);
    }

    /// <summary>The subject's timeline records, in the order the API returns them.</summary>
    public static async Task<IReadOnlyList<JsonElement>> TimelineAsync(this HttpClient reader, string runId, string eventId)
    {
        var answer = await reader.ReadAsync($"v1/labels/{runId}/{eventId}");
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return [.. answer.Body.GetProperty("labels").EnumerateArray()];
    }

    /// <summary>A stored governance fact, or null.</summary>
    public static async Task<JsonElement?> FactAsync(GovernanceFactType type, string runId, string dedupeDetail)
    {
        var key = GovernanceFactEmitter.ObjectKey(runId, GovernanceFact.ComputeFactId(type, runId, "cm", dedupeDetail));
        try
        {
            using var response = await S3.Value.GetObjectAsync(BackendEnvironment.Current.S3Bucket, key);
            return await JsonSerializer.DeserializeAsync<JsonElement>(response.ResponseStream);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static void AssertConforms(string schema, JsonElement instance)
    {
        var errors = SchemaContract.Errors(schema, instance);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors) + Environment.NewLine + instance);
    }

    private static async Task<Answer> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }
}
